import uuid

from django.db import models


class OutgoingEmail(models.Model):
    """One email to one address, kept until sent so that a failure loses nothing.

    Linked to the subject it is about (the recipient, or the person a staff notification
    concerns), so it appears in access reports and disappears with erasure.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RETRYING = "retrying", "Failed, will retry"
        SENT = "sent", "Sent"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(
        "subjects.Subject", null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    purpose = models.CharField(max_length=64, help_text="The declared activity this email serves.")
    to_address = models.EmailField()
    subject_line = models.CharField(max_length=200)
    body_text = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject_line} → {self.to_address} ({self.get_status_display()})"
