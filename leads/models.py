import uuid

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class Lead(models.Model):
    """A person who contacted us (a form, a booking; policy §3a, §3b), or whom staff entered from
    another source: an event, a referral, a partner list (GDPR Art. 14; checklist TP-02).

    Keeps what the person gave and the facts needed to account for it later: the declared
    activity (purpose) and its legal basis as they were at collection, where it came from and
    which policy version was shown. Retention counts from `last_contact_at` (policy §7, LEA-05).
    A lead from another source also keeps its source and what became of its Art. 14 notice.
    """

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact")
        INFORMATION_REQUEST = "information_request", _("Information request")
        BOOKING = "booking", _("Meeting booking")
        # Asked for on our own "Book a growth meeting" page; staff confirm a time by email.
        MEETING_REQUEST = "meeting_request", _("Meeting request")
        OTHER_SOURCE = "other_source", _("From another source")

    class SourceKind(models.TextChoices):
        """Where data not collected from the person came from (Art. 14(2)(f)); empty for data
        the person gave us themselves, through our forms or our booking provider (Art. 13)."""

        EVENT = "event", _("An event or trade fair")
        REFERRAL = "referral", _("A referral from someone who knows you")
        CLINIC_REFERRAL = "clinic_referral", _("A referral from a clinic")
        PARTNER_LIST = "partner_list", _("A partner's or purchased contact list")
        PUBLIC_SOURCE = "public_source", _("A public source, such as a clinic's website")

    class NoticeException(models.TextChoices):
        """The grounds of GDPR Art. 14(5) on which the Art. 14 notice may be left out."""

        ALREADY_INFORMED = (
            "already_informed",
            "Art. 14(5)(a): the person already has the information",
        )
        DISPROPORTIONATE = (
            "disproportionate",
            "Art. 14(5)(b): impossible or would involve a disproportionate effort",
        )
        LAID_DOWN_BY_LAW = "laid_down_by_law", "Art. 14(5)(c): obtaining it is laid down by law"
        PROFESSIONAL_SECRECY = (
            "professional_secrecy",
            "Art. 14(5)(d): the data must stay confidential under professional secrecy",
        )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.CASCADE, related_name="leads")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(max_length=200, blank=True)
    # Empty only for a lead from another source that came without an address (a phone number
    # from an event): its Art. 14 notice waits for one (leads.other_sources).
    email = models.EmailField(max_length=254, blank=True)
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
        max_length=64,
        help_text="The form or booking provider the lead came from, or the staff member who "
        "entered a lead from another source.",
    )
    source_kind = models.CharField(
        max_length=24,
        choices=SourceKind.choices,
        blank=True,
        help_text="Where data not collected from the person came from (Art. 14(2)(f)); "
        "empty when the person gave it to us themselves.",
    )
    source_description = models.CharField(
        max_length=200,
        blank=True,
        help_text='The source in words, as the person is told it: "Nordic Dental Expo 2026".',
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
        "clinics.Clinic",
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

    # The Art. 14 notice of a lead from another source: queued through the mail queue (the
    # email shows when it was sent), or left out on a recorded Art. 14(5) ground.
    notice_email = models.ForeignKey(
        "mail.OutgoingEmail",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The Art. 14 notice, in the mail queue.",
    )
    notice_queued_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the Art. 14 notice was queued."
    )
    notice_exception = models.CharField(
        max_length=24,
        choices=NoticeException.choices,
        blank=True,
        editable=False,
        help_text="The Art. 14(5) ground on which no notice is given.",
    )
    notice_exception_reason = models.TextField(blank=True, editable=False)
    notice_exception_at = models.DateTimeField(null=True, blank=True, editable=False)
    notice_exception_by = models.CharField(max_length=150, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["subject", "kind", "created_at"]),
            # The leads still owing their Art. 14 notice (leads.notices.awaiting_notice), by age:
            # the workbench counts them on every visit, and at a million leads a scan of the
            # whole table took 0.3-0.5 s (docs/benchmarks.md). Only the few waiting are indexed.
            models.Index(
                fields=["created_at"],
                name="lead_awaiting_art14_notice",
                condition=models.Q(
                    kind="other_source", notice_queued_at__isnull=True, notice_exception=""
                ),
            ),
        ]
        constraints = [
            # A lead from another source always says where it came from (Art. 14(2)(f)).
            models.CheckConstraint(
                condition=~models.Q(kind="other_source")
                | (~models.Q(source_kind="") & ~models.Q(source_description="")),
                name="lead_other_source_names_its_source",
            ),
            # An Art. 14(5) exception is never recorded without its written reason.
            models.CheckConstraint(
                condition=models.Q(notice_exception="") | ~models.Q(notice_exception_reason=""),
                name="lead_notice_exception_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name or self.email or self.phone}"


class Meeting(models.Model):
    """A meeting booked through a booking provider, kept in step with its webhooks (LEA-03)."""

    class Provider(models.TextChoices):
        TRAFFT = "trafft", "Trafft"
        CALCOM = "calcom", "Cal.com"

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")
        # Cal.com's "request reschedule": the organiser cancelled and asked for a new time.
        RESCHEDULE_REQUESTED = "reschedule_requested", _("Reschedule requested")
        NO_SHOW = "no_show", _("No-show")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="meetings")
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="meetings"
    )
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_booking_id = models.CharField(max_length=128)
    status = models.CharField(max_length=24, choices=Status.choices)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(
        null=True, blank=True, help_text="When the provider sent the latest event applied."
    )
    booked_here = models.BooleanField(
        default=False,
        editable=False,
        help_text="Booked on our own page through the provider's API (leads.booking).",
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
        # A time as the back office writes one: local, to the minute ("10 December 2026, 11:00").
        name = f"{self.get_provider_display()} meeting"
        if self.starts_at:
            name += ", " + date_format(timezone.localtime(self.starts_at), "DATETIME_FORMAT")
        return f"{name} ({self.get_status_display()})"


class ReplacedBooking(models.Model):
    """A booking id a meeting had before a reschedule gave it a new one (Cal.com's
    `rescheduleUid`), or that a meeting folded into it held (events of one booking delivered out
    of order). A late event that still names it (Cal.com queues and retries) is older news about
    that meeting, not a new booking: it changes nothing (leads.meetings.record_booking)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="replaced")
    provider = models.CharField(max_length=16, choices=Meeting.Provider.choices)
    booking_id = models.CharField(max_length=128)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "booking_id"], name="replaced_booking_id_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.booking_id}"
