"""The register of recipients with their contracts, the log of disclosures to authorities and
advisers, and webhook deliveries (policy §5, §6; GDPR Art. 28, 44-46). The clinics Wekst works for
as their processor are in clinics.models.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from processors.storage import private_documents
from subjects.legal_duty import KeptUnderLegalDuty


class WebhookDelivery(models.Model):
    """A webhook delivery that was verified and handled, kept so that a repeat is not applied twice.

    Holds no personal data: the delivery id is the provider's opaque id or a keyed hash of the
    body, never the body itself.
    """

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Acknowledged, nothing to apply"

    provider = models.CharField(max_length=16)
    delivery_id = models.CharField(max_length=128)
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    late = models.BooleanField(
        default=False,
        help_text="Sent longer ago than WEBHOOK_TOLERANCE_SECONDS: a queued or retried delivery.",
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "delivery_id"], name="webhook_delivery_once_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.delivery_id[:12]} ({self.outcome})"


# The register of recipients ------------------------------------------------------------------


class Role(models.TextChoices):
    """A recipient's role for a data flow, decided per processing on the facts (EDPB 07/2020)."""

    PROCESSOR = "processor", _("Processor (Art. 28)")
    JOINT_CONTROLLER = "joint_controller", _("Joint controller (Art. 26)")
    INDEPENDENT_CONTROLLER = "independent_controller", _("Independent controller")
    ADVISER = "adviser", _("Professional adviser")
    AUTHORITY = "authority", _("Public authority")


class Safeguard(models.TextChoices):
    """The transfer tool relied on for processing outside the EEA (GDPR Art. 45-46)."""

    ADEQUACY = "adequacy", _("Adequacy decision (Art. 45)")
    DPF = "dpf", _("EU-US Data Privacy Framework (certified entity)")
    SCC = "scc", _("Standard Contractual Clauses, 2021, with a transfer impact assessment")


def validate_country_codes(value: str) -> None:
    for code in country_codes(value):
        if not (len(code) == 2 and code.isalpha() and code.isupper()):
            raise ValidationError(
                _("%(code)s is not a two-letter ISO country code (e.g. US, RS)."),
                params={"code": code},
                code="country",
            )


def country_codes(value: str) -> list[str]:
    return [code.strip() for code in value.split(",") if code.strip()]


class Recipient(models.Model):
    """One recipient of the declaration, with the contracts on record for it (PRO-01, PRO-02).

    What the recipient is and does comes from the declaration (copied by sync_processor_register,
    never edited here); what is on record is kept here: the data processing agreement (or, for a
    joint controller, the Art. 26 arrangement) and the transfer safeguard with their documents.
    An integration whose register entry is incomplete stays switched off (processors.selectors).
    """

    key = models.SlugField(max_length=64, unique=True, help_text="The key in the declaration.")
    # From the declaration.
    name = models.CharField(max_length=200)
    legal_entity = models.CharField(max_length=300)
    role = models.CharField(max_length=32, choices=Role.choices)
    service = models.CharField(max_length=300, help_text="What the recipient does for us.")
    data_categories = models.JSONField(default=list)
    countries = models.JSONField(default=list, help_text="Where the data is processed.")
    declared_safeguard = models.CharField(
        max_length=16, choices=Safeguard.choices, blank=True, help_text="As the policy states it."
    )
    declared = models.BooleanField(
        default=True, help_text="Still in the declaration (an entry removed from it is kept here)."
    )
    synced_at = models.DateTimeField(null=True, blank=True)
    # On record.
    dpa_signed_on = models.DateField(
        "agreement signed on",
        null=True,
        blank=True,
        help_text="The data processing agreement (Art. 28(3)) or joint-controller arrangement "
        "(Art. 26).",
    )
    dpa_version = models.CharField("agreement version", max_length=100, blank=True)
    dpa_document = models.FileField(
        "agreement document",
        storage=private_documents,
        upload_to="register/agreements/",
        blank=True,
    )
    remote_access_countries = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_country_codes],
        help_text="Countries the data is accessed from remotely (support staff, operators), "
        "comma-separated ISO codes: remote access is a transfer too.",
    )
    safeguard = models.CharField(
        "transfer safeguard on record", max_length=16, choices=Safeguard.choices, blank=True
    )
    safeguard_document = models.FileField(
        "safeguard document",
        storage=private_documents,
        upload_to="register/safeguards/",
        blank=True,
        help_text="The signed SCCs with the transfer impact assessment, or the DPF List entry.",
    )
    safeguard_checked_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the safeguard was last checked (for the DPF: the entity's active entry on "
        "the Data Privacy Framework List).",
    )
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "recipient (processor register)"
        verbose_name_plural = "recipients (processor register)"

    def __str__(self) -> str:
        return self.name

    @property
    def remote_access(self) -> list[str]:
        return country_codes(self.remote_access_countries)


class DataFlow(models.Model):
    """One flow of personal data to a recipient: the activity it serves and the recipient's role
    for it (PRO-01; EDPB 07/2020: roles are per processing). Copied from the declaration."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="data_flows")
    activity = models.CharField(max_length=64, help_text="The declared activity.")
    activity_name = models.CharField(max_length=200)
    role = models.CharField(max_length=32, choices=Role.choices)
    data_categories = models.JSONField(default=list)

    class Meta:
        ordering = ["recipient", "activity"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "activity"], name="one_flow_per_activity")
        ]

    def __str__(self) -> str:
        return f"{self.activity_name} → {self.recipient}"


# Disclosures to public authorities and professional advisers (policy §5) ----------------------


def _end_of_disclosure_day(disclosure: "Disclosure") -> datetime.datetime:
    day_after = disclosure.disclosed_on + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day_after, datetime.time()))


class Disclosure(models.Model):
    """One disclosure of a person's data to a public authority or a professional adviser (policy
    §5: "only where the law requires it"; checklist RG-06). Recorded by the privacy officer
    through processors.disclosures.record_disclosure, which checks it against the declaration.

    A disclosure to an authority names the legal provision that required it and the authority's
    reference for the request; one to an adviser, its purpose. The person sees it in their access
    report (it links to the subject index, so records_of finds it).
    """

    # An erasure request keeps the record: it is the proof that the disclosure was required and
    # lawful (GDPR Art. 5(2)), which we may need against a claim (Art. 17(3)(e)); the person
    # stays linked by their subject's random id only. The sweep deletes it after its own rule.
    kept_under_legal_duty = KeptUnderLegalDuty(
        law="GDPR Art. 5(2), 17(3)(e)",
        reason=_(
            "The record that we disclosed your data to a public authority or a professional "
            "adviser (to whom, which data, when and why), so that we can show the disclosure was "
            "lawful. It holds a random reference, not your contact details."
        ),
        retention_rule="disclosure_record",
        counts_from=_end_of_disclosure_day,
    )
    # Disclosing data where the law requires it is one of the "other legal duties" of this
    # activity, whose recipients are the advisers and the authorities.
    declared_activity = "bookkeeping"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="disclosures"
    )
    recipient = models.CharField(
        _("recipient, as named in our privacy policy"),
        max_length=64,
        help_text=_("A recipient of the declaration that is a public authority or an adviser."),
    )
    recipient_role = models.CharField(
        _("kind of recipient"), max_length=32, choices=Role.choices, editable=False
    )
    recipient_name = models.CharField(
        _("who received it"),
        max_length=200,
        help_text=_('The authority or adviser by name, e.g. "Skatteetaten, Skatt øst".'),
    )
    data_categories = models.JSONField(_("data disclosed"), default=list)
    disclosed_on = models.DateField(_("disclosed on"))
    legal_provision = models.CharField(
        _("legal provision that required it"),
        max_length=200,
        blank=True,
        help_text=_(
            'For an authority: the statute and section, e.g. "skatteforvaltningsloven § 10-2".'
        ),
    )
    request_reference = models.CharField(
        _("the authority's reference"),
        max_length=100,
        blank=True,
        help_text=_("For an authority: its reference for the request (case or letter number)."),
    )
    # Not `purpose`: in this project a record's `purpose` is the declared activity it serves.
    adviser_purpose = models.CharField(
        _("purpose"),
        max_length=300,
        blank=True,
        help_text=_("For an adviser: what the data was needed for."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-disclosed_on", "-recorded_at"]
        verbose_name = _("disclosure to an authority or adviser")
        verbose_name_plural = _("disclosures to authorities and advisers")
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_role__in=["authority", "adviser"]),
                name="disclosure_only_to_an_authority_or_adviser",
                violation_error_message=_(
                    "Only disclosures to a public authority or a professional adviser are "
                    "recorded here."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(recipient_role="authority")
                | (~Q(legal_provision="") & ~Q(request_reference="")),
                name="disclosure_to_an_authority_names_the_law_and_reference",
                violation_error_message=_(
                    "A disclosure to a public authority needs the legal provision that required "
                    "it and the authority's reference for the request."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(recipient_role="adviser") | ~Q(adviser_purpose=""),
                name="disclosure_to_an_adviser_names_its_purpose",
                violation_error_message=_("A disclosure to an adviser needs its purpose."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} ({self.disclosed_on})"
