import uuid

from django.db import models

from wekst.validators import validate_single_line


class Subscription(models.Model):
    """One subscriber's consent to the newsletter, with its proof (GDPR Art. 7(1)).

    Unconfirmed until the link in the confirmation email is used (double opt-in); only a confirmed
    subscription receives newsletters. Unsubscribing deletes it and leaves a Suppression entry.
    The address is the subject's: it is kept once, in the subject index.
    """

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", "Unconfirmed"
        CONFIRMED = "confirmed", "Confirmed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="newsletter_subscriptions"
    )
    name = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNCONFIRMED)
    # The proof of consent: where, when, under which policy version, with which words, in
    # which language.
    source = models.CharField(max_length=64, help_text="Where the sign-up was made.")
    signed_up_at = models.DateTimeField()
    policy_version = models.CharField(max_length=32)
    consent_wording = models.TextField(help_text="The exact consent text the person was shown.")
    language = models.CharField(max_length=8)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Only a SHA-256 hash of the confirmation token is stored; the token itself is in the email.
    confirmation_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirmation_expires_at = models.DateTimeField(null=True, blank=True)
    # An opaque random capability put in every newsletter's List-Unsubscribe header; it must be
    # readable to be put there, and it is not the subscriber's id.
    unsubscribe_token = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject"], name="one_subscription_per_subject"),
            models.CheckConstraint(
                condition=~models.Q(status="confirmed") | models.Q(confirmed_at__isnull=False),
                name="confirmed_subscription_has_confirmed_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "confirmed_at"])]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"


class Issue(models.Model):
    """One newsletter, written by staff, sent once to every confirmed subscriber."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    subject_line = models.CharField(max_length=200, validators=[validate_single_line])
    body_text = models.TextField(
        help_text=(
            "Plain text. The unsubscribe link and the right to object are added below it. "
            "Do not add tracking links or images (LEA-06)."
        )
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject_line


class Delivery(models.Model):
    """One issue for one subscription: recorded when its email is queued, so a resumed send
    skips it. Its subscription is cleared when the subscriber unsubscribes."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        CANCELLED = "cancelled", "Cancelled (unsubscribed before it was sent)"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    email = models.ForeignKey(
        "mail.OutgoingEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscription"], name="one_delivery_per_issue_and_subscription"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issue} → {self.subscription_id or '(unsubscribed)'}"


class Suppression(models.Model):
    """An address that must never be sent marketing or be signed up again (GDPR Art. 21(3)).

    Holds no readable address: only a keyed hash (HMAC with the secret key) of the normalised
    address, enough to recognise it when it is given again. Survives erasure of the subject.
    When the email provider reported it (a hard bounce, a spam complaint, an unsubscribe in the
    provider's own link), its evidence is kept: which provider, which event, and when it says
    it happened (newsletter/provider_events.py).
    """

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        OBJECTED = "objected", "Objected to direct marketing"
        BOUNCED = "bounced", "The address bounced permanently"
        COMPLAINED = "complained", "Marked as spam"

    address_digest = models.CharField(max_length=64, unique=True, editable=False)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Empty when we recorded it ourselves; the provider's key in the declaration otherwise.
    provider = models.CharField(max_length=32, blank=True, default="", editable=False)
    provider_event = models.CharField(max_length=32, blank=True, default="", editable=False)
    provider_event_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "suppression entry"
        verbose_name_plural = "suppression entries"

    def __str__(self) -> str:
        return f"Suppression entry {self.pk} ({self.get_reason_display()})"
