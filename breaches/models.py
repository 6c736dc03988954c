"""The breach register: every personal data breach, notified or not (GDPR Art. 33(5); SEC-02)."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subjects.legal_duty import KeptUnderLegalDuty

# Art. 33(1): notify the supervisory authority within 72 hours of becoming aware.
AUTHORITY_DEADLINE = datetime.timedelta(hours=72)


class Breach(models.Model):
    """One incident: the facts, its effects, the risk assessment and what was notified, to whom.

    The fields follow Art. 33(3)(a)-(d) and Datatilsynet's notification form, so the draft
    notification (breaches.notification) is built from them without retyping. A breach judged
    to carry no risk is still recorded here with the reasoning (Art. 33(5), EDPB 9/2022).
    """

    # An affected person's erasure keeps the entry: without it the breach is undocumented
    # (Art. 33(5)); the person stays linked by their subject's random id only.
    kept_under_legal_duty = KeptUnderLegalDuty(
        law="GDPR Art. 33(5)",
        reason=_(
            "The register entry of a personal data breach that affected your data: the law "
            "requires us to document each breach and whom it affected. It holds a random "
            "reference, not your contact details."
        ),
        retention_rule="audit_record",
        counts_from="became_aware_at",
    )

    class Source(models.TextChoices):
        INTERNAL = "internal", _("Found by Wekst")
        PROCESSOR = "processor", _("Reported by a processor")
        CLINIC = "clinic", _("Reported by a clinic")
        OTHER = "other", _("Reported by someone else")

    class Cause(models.TextChoices):
        ATTACK = "attack", _("Hacking, malware or phishing")
        MISDIRECTED = "misdirected", _("Sent to the wrong recipient")
        LOST_DEVICE = "lost_device", _("Lost or stolen device or paper")
        UNAUTHORISED_ACCESS = "unauthorised_access", _("Unauthorised access or use by staff")
        PUBLISHED = "published", _("Published or shared by mistake")
        SYSTEM_FAILURE = "system_failure", _("System failure or data loss")
        OTHER = "other", _("Other")

    class Risk(models.TextChoices):
        # Art. 33(1): no notification when "unlikely to result in a risk"; Art. 34(1): the people
        # are told when the risk is high.
        UNASSESSED = "", _("Not assessed yet")
        NONE = "none", _("No risk (unlikely to result in a risk)")
        RISK = "risk", _("Risk: notify Datatilsynet")
        HIGH = "high", _("High risk: notify Datatilsynet and the people affected")

    class Art34Exception(models.TextChoices):
        NONE = "", _("None: the people affected are told individually")
        ENCRYPTED = "encrypted", _("Art. 34(3)(a): the data were unintelligible (e.g. encrypted)")
        MITIGATED = "mitigated", _("Art. 34(3)(b): later measures removed the high risk")
        PUBLIC_NOTICE = (
            "public_notice",
            _("Art. 34(3)(c): individual notices would be disproportionate; public notice instead"),
        )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("short title"), max_length=200)
    source = models.CharField(_("source"), max_length=16, choices=Source, default=Source.INTERNAL)
    reported_by = models.CharField(
        _("reported by"),
        max_length=200,
        blank=True,
        help_text=_("The processor, clinic or person that reported it (e.g. Trafft)."),
    )
    became_aware_at = models.DateTimeField(
        _("became aware at"),
        help_text=_(
            "When Wekst became reasonably certain that personal data was compromised (or received "
            "a processor's report). The 72 hours count from here (Art. 33(1))."
        ),
    )
    occurred_from = models.DateTimeField(_("breach started"), null=True, blank=True)
    occurred_until = models.DateTimeField(_("breach ended"), null=True, blank=True)

    # Art. 33(3)(a): the nature of the breach.
    what_happened = models.TextField(_("what happened"))
    cause = models.CharField(_("main cause"), max_length=24, choices=Cause, default=Cause.OTHER)
    how_it_arose = models.TextField(_("how it arose"), blank=True)
    confidentiality = models.BooleanField(
        _("confidentiality breach"),
        default=False,
        help_text=_("Data seen by someone who should not."),
    )
    integrity = models.BooleanField(
        _("integrity breach"), default=False, help_text=_("Data changed without authority.")
    )
    availability = models.BooleanField(
        _("availability breach"), default=False, help_text=_("Data lost or out of reach.")
    )
    data_categories = models.TextField(
        _("types of personal data"), help_text=_("e.g. names and email addresses of leads.")
    )
    special_categories = models.BooleanField(
        _("special categories or other sensitive data"),
        default=False,
        help_text=_("Health data (e.g. that someone is a clinic's patient), Art. 9 data."),
    )
    subject_categories = models.TextField(
        _("people affected and their relation to us"), help_text=_("e.g. leads, subscribers.")
    )
    approx_subjects = models.PositiveIntegerField(
        _("approximate number of people"), null=True, blank=True
    )
    approx_records = models.PositiveIntegerField(
        _("approximate number of records"), null=True, blank=True
    )
    where_data_now = models.TextField(_("where the data are now"), blank=True)

    # Art. 33(3)(c) and (d).
    likely_consequences = models.TextField(_("likely consequences"), blank=True)
    measures_taken = models.TextField(_("measures taken"), blank=True)
    measures_planned = models.TextField(_("measures planned"), blank=True)

    # The risk assessment drives what is notified (SB-06).
    risk = models.CharField(_("risk"), max_length=8, choices=Risk, blank=True, default="")
    risk_reasoning = models.TextField(
        _("reasoning"),
        blank=True,
        help_text=_("Why this risk level, and so why Datatilsynet is or is not notified."),
    )

    # Art. 33(3)(b): the contact point.
    contact_point = models.CharField(
        _("contact point"),
        max_length=200,
        blank=True,
        help_text=_(
            "Who Datatilsynet and the people affected can contact; default: the privacy contact."
        ),
    )

    # Notification to Datatilsynet (Art. 33(1), (4)).
    authority_notified_at = models.DateTimeField(
        _("Datatilsynet notified at"), null=True, blank=True
    )
    authority_reference = models.CharField(
        _("Datatilsynet's reference"), max_length=100, blank=True
    )
    authority_notification_partial = models.BooleanField(
        _("notification sent in stages, follow-up due"),
        default=False,
        help_text=_("The first notification said it was partial (Art. 33(4))."),
    )
    authority_follow_up_at = models.DateTimeField(_("follow-up sent at"), null=True, blank=True)
    reasons_for_delay = models.TextField(
        _("reasons for delay"),
        blank=True,
        help_text=_("Required when Datatilsynet is notified more than 72 hours after awareness."),
    )

    # The people affected (Art. 34).
    affected_subjects = models.ManyToManyField(
        "subjects.Subject",
        blank=True,
        related_name="breaches",
        verbose_name=_("people affected (known to us)"),
    )
    art34_exception = models.CharField(
        _("exception to telling people (Art. 34(3))"),
        max_length=16,
        choices=Art34Exception,
        blank=True,
        default="",
    )
    art34_exception_details = models.TextField(_("exception details"), blank=True)
    subjects_notified_at = models.DateTimeField(_("people notified at"), null=True, blank=True)

    # A clinic's data: Wekst is its processor and tells the clinic (Art. 33(2); CL-05).
    clinic = models.ForeignKey(
        "clinics.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="breaches",
        verbose_name=_("clinic affected"),
        help_text=_("The clinic whose data Wekst processes (as its processor) that was affected."),
    )
    clinic_notified_at = models.DateTimeField(_("clinic notified at"), null=True, blank=True)

    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-became_aware_at"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")

    def __str__(self) -> str:
        # The day in Oslo, as every time on the breach's page: in UTC, a breach found before
        # 01:00 read as the day before.
        if self.became_aware_at is None:
            return self.title
        return f"{self.title} ({timezone.localtime(self.became_aware_at):%Y-%m-%d})"

    @property
    def authority_deadline(self) -> datetime.datetime:
        return self.became_aware_at + AUTHORITY_DEADLINE

    def clean(self):
        errors = {}
        if self.became_aware_at and not (
            self.confidentiality or self.integrity or self.availability
        ):
            errors["confidentiality"] = _(
                "Tick at least one: confidentiality, integrity or availability."
            )
        if self.risk and not self.risk_reasoning.strip():
            errors["risk_reasoning"] = _(
                "Give the reasoning behind the risk level: it is what shows why Datatilsynet was "
                "or was not notified (Art. 33(5))."
            )
        if self.authority_notified_at and self.became_aware_at:
            if self.authority_notified_at < self.became_aware_at:
                # On the field the breach's form edits: the notification's time is set by its
                # own step (services.record_authority_notification), not by the form.
                errors["became_aware_at"] = _(
                    "Datatilsynet cannot have been notified before Wekst became aware."
                )
            elif (
                self.authority_notified_at > self.authority_deadline
                and not self.reasons_for_delay.strip()
            ):
                errors["reasons_for_delay"] = _(
                    "Datatilsynet was notified more than 72 hours after Wekst became aware: give "
                    "the reasons for the delay (Art. 33(1))."
                )
        if self.art34_exception and not self.art34_exception_details.strip():
            errors["art34_exception_details"] = _("Explain how the exception applies.")
        if self.occurred_from and self.occurred_until and self.occurred_until < self.occurred_from:
            errors["occurred_until"] = _("The end comes before the start.")
        if self.clinic_notified_at and self.clinic_id is None:
            errors["clinic"] = _("Name the clinic that was notified.")
        if errors:
            raise ValidationError(errors)


class BreachNotice(models.Model):
    """A notice about a breach queued to one person affected (Art. 34), sent once only.

    Like the breach, it outlives an erasure request: it is the proof that the person was told,
    which the breach's documentation must show (Art. 33(5)); the person it points at keeps only a
    random id, and the copy of the email, which holds the address, is erased. The retention sweep
    deletes it with the other audit records after their period (retention.registry).
    """

    kept_under_legal_duty = KeptUnderLegalDuty(
        law="GDPR Art. 33(5), 34",
        reason=_(
            "A record that we told you of a personal data breach: the law requires us to "
            "document each breach and how the people affected were told. It holds a random "
            "reference, not your contact details."
        ),
        retention_rule="audit_record",
        counts_from="queued_at",
        erase_fields={"email": None},
    )

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="notices")
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="breach_notices"
    )
    email = models.ForeignKey(
        "mail.OutgoingEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["breach", "subject"], name="one_notice_per_person")
        ]

    def __str__(self) -> str:
        return f"Notice of breach {self.breach_id} to subject {self.subject_id}"
