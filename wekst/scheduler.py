"""Enqueueing scheduled tasks when they are due: the scheduler django-tasks-db does not have.

The schedules themselves are declared in wekst/schedules.py. `run_scheduler` calls
enqueue_due_schedules() every few seconds; each schedule has slots (every day at its time, or
every interval), and a slot is enqueued once: its ScheduledRun row is inserted in the same
transaction as the task, under a unique constraint, so two schedulers, or one restarted, never
enqueue a slot twice. A slot missed while no scheduler ran is enqueued when one starts again
(only the latest: a sweep missed three times runs once).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from wekst.models import ScheduledRun

logger = logging.getLogger(__name__)

EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# Slots are remembered this long, to see what ran; older rows are deleted.
KEEP_RUNS_FOR = datetime.timedelta(days=90)


@dataclass(frozen=True)
class Schedule:
    """A task enqueued every day at `daily_at` (Oslo time), or every `every`."""

    name: str
    task: str  # dotted path of a django.tasks task
    daily_at: datetime.time | None = None
    every: datetime.timedelta | None = None

    def __post_init__(self):
        if (self.daily_at is None) == (self.every is None):
            raise ValueError(f"Schedule {self.name}: give daily_at or every, not both.")

    def latest_slot(self, now: datetime.datetime) -> datetime.datetime:
        """The most recent moment, at or before `now`, when this schedule was due."""
        if self.every is not None:
            intervals = (now - EPOCH) // self.every
            return EPOCH + intervals * self.every
        today = timezone.localdate(now)
        for day in (today, today - datetime.timedelta(days=1)):
            slot = timezone.make_aware(datetime.datetime.combine(day, self.daily_at))
            if slot <= now:
                return slot
        raise AssertionError("unreachable: yesterday's slot is always in the past")


def enqueue_due_schedules(
    *, schedules: tuple[Schedule, ...] | None = None, now: datetime.datetime | None = None
) -> list[str]:
    """Enqueue every schedule whose latest slot was not enqueued yet; returns their names."""
    if schedules is None:
        from wekst.schedules import SCHEDULES

        schedules = SCHEDULES
    now = now or timezone.now()
    enqueued = []
    for schedule in schedules:
        slot = schedule.latest_slot(now)
        if ScheduledRun.objects.filter(schedule=schedule.name, due_at=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(schedule=schedule.name, due_at=slot)
                result = import_string(schedule.task).enqueue()
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            # Another scheduler enqueued this slot a moment ago.
            continue
        logger.info("Enqueued %s (due %s)", schedule.name, slot.isoformat())
        enqueued.append(schedule.name)
    ScheduledRun.objects.filter(due_at__lt=now - KEEP_RUNS_FOR).delete()
    return enqueued
