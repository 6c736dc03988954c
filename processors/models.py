"""The register of recipients with their contracts, and webhook deliveries (policy §5, §6;
GDPR Art. 28, 44-46). The clinics Wekst works for as their processor are in clinics.models.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from processors.storage import private_documents


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
