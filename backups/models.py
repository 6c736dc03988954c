"""The evidence of each backup and each restore drill (SB-02): no personal data, only what was
done, when, how big, its checksum, and how many erasures the restore re-applied."""

import uuid

from django.db import models


class BackupRecord(models.Model):
    class Kind(models.TextChoices):
        BACKUP = "backup", "backup"
        RESTORE = "restore", "restore"

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    # Stable across a restore: the evidence written after the restored backup is put back by it.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    database_vendor = models.CharField(max_length=20)
    file_name = models.CharField(max_length=200, help_text="The archive's name, without its path.")
    size_bytes = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    erasures_reapplied = models.PositiveIntegerField(
        null=True, blank=True, help_text="Restores: subjects the erasure ledger erased again."
    )
    suppressions_restored = models.PositiveIntegerField(null=True, blank=True)
    backups_deleted = models.PositiveIntegerField(
        default=0, help_text="Backups: older archives deleted under the retention rule."
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
