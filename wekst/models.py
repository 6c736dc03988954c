"""The scheduler's memory: which slot of which schedule was enqueued (wekst/scheduler.py)."""

from django.db import models


class ScheduledRun(models.Model):
    """One slot of one schedule, enqueued once. The unique constraint is what makes a restarted
    scheduler, or a second one running at the same time, never enqueue the same slot twice."""

    schedule = models.CharField(max_length=64)
    due_at = models.DateTimeField(help_text="The slot: when this run was due.")
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "due_at"], name="one_run_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.schedule} due {self.due_at:%Y-%m-%d %H:%M}"
