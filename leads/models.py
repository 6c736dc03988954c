import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Lead(models.Model):
    """A person who contacted us: through a form, or by booking a meeting (policy §3a, §3b).

    Keeps what the person gave and the facts needed to account for it later: the declared
    activity (purpose) and its legal basis as they were at collection, where it came from and
    which policy version was shown. Retention counts from `last_contact_at` (policy §7, LEA-05).
    """

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact")
        INFORMATION_REQUEST = "information_request", _("Information request")
        BOOKING = "booking", _("Meeting booking")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.CASCADE, related_name="leads")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=32, blank=True)
    company = models.CharField("company/clinic", max_length=200, blank=True)
    role = models.CharField(max_length=100, blank=True)
    message = models.TextField(blank=True)
    purpose = models.CharField(
        max_length=64, help_text="The declared activity this lead was collected for."
    )
    legal_basis = models.CharField(
        max_length=32, help_text="The activity's legal basis (GDPR Art. 6(1)) at collection."
    )
    source = models.CharField(
        max_length=64, help_text="The form, or the booking provider, the lead came from."
    )
    policy_version = models.CharField(
        max_length=32, help_text="The privacy policy version shown at collection."
    )
    language = models.CharField(max_length=8)
    marketing_consent = models.BooleanField(
        default=False, help_text="Whether the separate, unticked marketing choice was ticked."
    )
    marketing_consent_wording = models.TextField(
        blank=True, help_text="The exact wording of the marketing choice, when it was ticked."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_contact_at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        help_text="The last two-way contact with the person; retention counts from it.",
    )
    # Set for a lead collected on a clinic's behalf (Wekst as its processor, PRO-03): kept apart
    # from Wekst's own leads and retained as the clinic instructs.
    clinic = models.ForeignKey(
        "processors.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        help_text="The clinic this lead was collected for; empty for Wekst's own leads.",
    )
    staff_notified_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When staff were told of this lead: set once, so a task run again tells no one twice.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["subject", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name or self.email}"


class Meeting(models.Model):
    """A meeting booked through a booking provider, kept in step with its webhooks (LEA-03)."""

    class Provider(models.TextChoices):
        TRAFFT = "trafft", "Trafft"
        CALCOM = "calcom", "Cal.com"

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="meetings")
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="meetings"
    )
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_booking_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=Status.choices)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(
        null=True, blank=True, help_text="When the provider sent the latest event applied."
    )
    staff_notified_event_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The provider event staff were last told of; an older or the same one is not told again.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_booking_id"], name="meeting_booking_id_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.get_status_display()} {self.starts_at or ''}"
