"""What Wekst owes a clinic as its processor beyond the agreement itself: sub-processor changes
with time to object (Art. 28(2), (4); CL-03, PT-04), instructions Wekst warned were unlawful
(Art. 28(3) final subparagraph; CL-07), and the end of an engagement: return or deletion with a
certificate (Art. 28(3)(g); CL-08)."""

import datetime
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinics.models.clinic import Clinic
from processors.models import Recipient
from processors.storage import private_documents


class SubProcessorChange(models.Model):
    """A sub-processor added for a clinic, or put in place of another, after the agreement.

    Under a general authorisation the clinic is told (`notice_email`) and may object until
    `object_by`; the sub-processor is used for the clinic only once that day has passed without
    an objection. Under a specific authorisation it is used only from the day the clinic
    authorised it (`authorised_on`, with the `evidence`). Read through
    clinics.sub_processors.sub_processors_in_use.
    """

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="sub_processor_changes"
    )
    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, related_name="clinic_sub_processor_changes"
    )
    replaces = models.ForeignKey(
        Recipient,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The sub-processor this one takes the place of, if any.",
    )
    reason = models.CharField(max_length=300, help_text="What the sub-processor will do.")
    notified_at = models.DateTimeField()
    object_by = models.DateField(help_text="The last day the clinic may object.")
    notice_email = models.ForeignKey(
        "mail.OutgoingEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authorised_on = models.DateField(
        null=True, blank=True, help_text="The day the clinic authorised it specifically."
    )
    evidence = models.CharField(
        max_length=300, blank=True, help_text="Where the clinic's authorisation or answer is."
    )
    objected_on = models.DateField(null=True, blank=True)
    objection = models.TextField(blank=True, help_text="The clinic's objection, as it gave it.")
    withdrawn_on = models.DateField(
        null=True, blank=True, help_text="When Wekst stopped using it for the clinic."
    )
    recorded_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clinic", "-notified_at"]
        verbose_name = "sub-processor change"
        verbose_name_plural = "sub-processor changes"
        constraints = [
            models.CheckConstraint(
                condition=~Q(replaces=models.F("recipient")), name="sub_processor_replaces_another"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinic}: {self.recipient}"

    def decision(self, on: datetime.date) -> str:
        """pending, objected, authorised (specifically) or not_objected (deadline passed)."""
        if self.objected_on is not None and self.objected_on <= on:
            return "objected"
        if self.authorised_on is not None and self.authorised_on <= on:
            return "authorised"
        if self.object_by < on:
            return "not_objected"
        return "pending"


class UnlawfulInstruction(models.Model):
    """An instruction of a clinic that Wekst considers would break data protection law, and the
    notice Wekst gave the clinic (GDPR Art. 28(3) final subparagraph; CL-07)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")
        MEETING = "meeting", _("In a meeting, confirmed in writing")
        PHONE = "phone", _("By phone, confirmed in writing")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for the clinic's answer")
        WITHDRAWN = "withdrawn", _("The clinic withdrew the instruction")
        AMENDED = "amended", _("The clinic changed the instruction so that it is lawful")
        REFUSED = "refused", _("The clinic insisted; Wekst did not carry it out")

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="unlawful_instructions"
    )
    received_on = models.DateField()
    instruction = models.TextField(help_text="What the clinic instructed.")
    why_unlawful = models.TextField(
        "why it would break the law", help_text="The provisions it would infringe, and how."
    )
    notice_text = models.TextField("notice Wekst gave", help_text="The text Wekst sent the clinic.")
    notified_on = models.DateField("notice given on")
    notified_how = models.CharField("notice given by", max_length=8, choices=Channel.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_note = models.TextField(blank=True)
    recorded_by = models.CharField(max_length=150, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clinic", "-received_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notified_on__gte=models.F("received_on")),
                name="unlawful_instruction_notice_after_instruction",
                violation_error_message=_(
                    "The notice cannot be given before the instruction came."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinic}: instruction of {self.received_on}"


class Offboarding(models.Model):
    """The end of an engagement: the clinic's choice between return and deletion of its data, the
    export given back, the deletion here and at the processors, and the deletion certificate
    (GDPR Art. 28(3)(g); CL-08). The certificate holds counts and processors, never a patient's
    data; the export is deleted with the rest, and only its SHA-256 stays."""

    class Choice(models.TextChoices):
        RETURN = "return", _("Return the data, then delete every copy")
        DELETION = "deletion", _("Delete the data")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="offboardings")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    chosen_on = models.DateField(help_text="The day the clinic made its choice.")
    instructed_by = models.CharField(
        "chosen by", max_length=200, help_text="Who at the clinic made the choice."
    )
    recorded_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    export = models.FileField(storage=private_documents, upload_to="clinics/exports/", blank=True)
    export_sha256 = models.CharField(max_length=64, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.CharField(max_length=150, blank=True)
    deleted_counts = models.JSONField(default=dict, blank=True)
    processor_notices = models.JSONField(
        default=list,
        blank=True,
        help_text="The public ids of the erasures passed on to processors.",
    )
    certificate = models.TextField(blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)
    certificate_signed_by = models.CharField(max_length=150, blank=True)
    certificate_issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "end of engagement"
        verbose_name_plural = "ends of engagements"

    def __str__(self) -> str:
        return f"{self.clinic}: {self.get_choice_display()} ({self.chosen_on})"
