from django.db import models

from wekst.admin_names import records_name


class AuditEntry(models.Model):
    """One action on personal data, chained to the previous entry by a hash (GDPR Art. 5(2)).

    Holds references (model label, object id, the subject's public id), never copies of the data,
    so the log itself can be kept for its declared period without keeping what was erased.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        ERASE = "erase", "Erased"
        NOTIFY = "notify", "Notified"

    sequence = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(
        max_length=150,
        help_text="The staff member's username, or “system:” and the name of the job that acted.",
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    object_type = models.CharField("record type", max_length=100)
    object_id = models.CharField(
        "record id",
        max_length=64,
        blank=True,
        help_text="The record's id (its number or public id).",
    )
    subject_ref = models.CharField(
        "data subject",
        max_length=36,
        blank=True,
        db_index=True,
        help_text="The public id of the person the record is about; empty when it names no one.",
    )
    reason = models.CharField(max_length=300, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        record = f"{records_name(self.object_type, plural=False)} {self.object_id}".strip()
        return f"#{self.sequence}: {self.get_action_display()} {record}, by {self.actor}"
