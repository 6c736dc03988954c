"""Legal holds, the evidence each retention sweep leaves, and what processors were found to still
hold beyond their rule (policy §7; GDPR Art. 5(1)(e), 5(2), 28(3)(g))."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from declaration.selectors import recipient_name
from wekst.admin_names import records_name


class LegalHoldQuerySet(models.QuerySet):
    def active(self) -> "LegalHoldQuerySet":
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """A hold on everything about one subject: the retention sweep erases nothing of theirs while
    it is in force (a dispute, a claim, an authority's order; GDPR Art. 17(3)(e))."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="legal_holds"
    )
    reason = models.TextField(help_text="Why the data must be kept, e.g. the case it concerns.")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at"]
        indexes = [models.Index(fields=["subject", "lifted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_at__gte=models.F("placed_at")),
                name="legal_hold_lifted_after_placed",
            )
        ]

    def __str__(self) -> str:
        state = "lifted" if self.lifted_at else "in force"
        return f"Legal hold {str(self.public_id)[:8]} ({state})"


class SweepRun(models.Model):
    """One run of the retention sweep: the deletion evidence (checklist RT-08).

    Holds no personal data, only what ran, when, and how many records each rule erased; with its
    counts it shows that retention is enforced without keeping what was erased.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        INTERRUPTED = "interrupted", "Interrupted (the next run carries on)"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Daily schedule"
        COMMAND = "command", "Management command"

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        default=timezone.now, help_text="Moved by every batch: a run silent for long was stopped."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    batch_size = models.PositiveIntegerField()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "retention sweep run"

    def __str__(self) -> str:
        started = date_format(timezone.localtime(self.started_at), "DATETIME_FORMAT")
        return f"Sweep {self.pk} at {started} ({self.get_status_display()})"


class SweepCount(models.Model):
    """What one part of one rule did in a run: counts, the cutoff, and the holds that applied."""

    run = models.ForeignKey(SweepRun, on_delete=models.CASCADE, related_name="counts")
    rule = models.CharField(max_length=64, help_text="The retention rule in the declaration.")
    model = models.CharField(max_length=100, help_text="The records it governs (app.Model).")
    action = models.CharField(max_length=8, default="erase")
    cutoff = models.DateTimeField(help_text="Records whose clock started before this were due.")
    erased = models.PositiveIntegerField(default=0)
    cascaded = models.JSONField(
        default=dict, help_text="Records erased with them (app.Model: count), e.g. meetings."
    )
    kept = models.JSONField(
        default=dict, help_text="Due records kept, per exception (legal hold, open request, …)."
    )
    legal_holds = models.JSONField(
        default=list, help_text="Public ids of the legal holds that kept records."
    )
    notices = models.JSONField(
        default=dict,
        help_text="Erasures passed on to processors, per processor (RT-09): {processor: count}.",
    )
    batches = models.PositiveIntegerField(default=0)
    longest_batch_seconds = models.FloatField(
        default=0, help_text="The longest single deletion transaction (the longest lock held)."
    )
    seconds = models.FloatField(default=0, help_text="How long this part of the run took.")

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "rule", "model"], name="one_count_per_part")
        ]

    def __str__(self) -> str:
        return f"{records_name(self.model)} under rule {self.rule}: {self.erased} erased"


class ProcessorCheck(models.Model):
    """One reconciliation of one processor against the retention rules (checklist RT-09).

    Says whether the processor could be asked what it holds, how much was checked, and what it
    still holds beyond its rule (`StillHeld`). No personal data: counts and references only.
    """

    processor = models.CharField(max_length=32, help_text="The recipient key in the declaration.")
    checked_at = models.DateTimeField(default=timezone.now)
    trigger = models.CharField(max_length=12, choices=SweepRun.Trigger.choices)
    asked = models.BooleanField(help_text="Whether the processor's API was asked what it holds.")
    note = models.TextField(
        help_text="How this processor keeps its rule, or why it cannot be asked."
    )
    checked = models.PositiveIntegerField(default=0, help_text="Entries the processor listed.")
    still_held = models.PositiveIntegerField(default=0)
    next_offset = models.PositiveIntegerField(
        default=0, help_text="Where the next check carries on in the processor's list (0: start)."
    )
    error = models.TextField(blank=True, help_text="Why the check stopped early, if it did.")

    class Meta:
        ordering = ["-checked_at", "processor"]
        verbose_name = "processor retention check"

    def __str__(self) -> str:
        checked = date_format(timezone.localtime(self.checked_at), "DATETIME_FORMAT")
        return f"{recipient_name(self.processor)}, checked {checked}: {self.still_held} still held"


class StillHeld(models.Model):
    """One thing a processor still holds beyond its rule, by a reference staff can act on (the
    processor's own id, or the erasure notice not confirmed), never the person's data."""

    processor_check = models.ForeignKey(
        ProcessorCheck, on_delete=models.CASCADE, related_name="findings"
    )
    reference = models.CharField(
        max_length=100, help_text="What to look for at the processor (its own id), or the notice."
    )
    notice = models.ForeignKey(
        "rights.ProcessorNotice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The erasure passed on for it, when there is one.",
    )
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["processor_check", "id"]
        verbose_name = "held beyond its rule"
        verbose_name_plural = "held beyond their rule"

    def __str__(self) -> str:
        return self.reference
