from django.db import models


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
