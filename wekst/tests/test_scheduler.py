"""The scheduler enqueues each schedule once per slot, however often it runs and however many
run at once, and the daily retention sweep then runs by itself in the worker (RET-02)."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from retention.models import SweepRun
from wekst.models import ScheduledRun
from wekst.scheduler import Schedule, enqueue_due_schedules
from wekst.schedules import SCHEDULES

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
SWEEP = "retention.tasks.sweep_retention"


def oslo(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=OSLO)


def tasks(path: str = SWEEP) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


def test_ret_02_the_retention_sweep_is_declared_daily_with_the_other_schedules():
    by_name = {schedule.name: schedule for schedule in SCHEDULES}
    assert by_name["retention_sweep"].task == SWEEP
    assert by_name["retention_sweep"].daily_at == datetime.time(3, 30)
    assert by_name["resend_stuck_email"].every == datetime.timedelta(minutes=15)


def test_ret_02_a_daily_schedule_is_enqueued_once_per_day_however_often_the_scheduler_runs():
    enqueue_due_schedules(now=oslo(2026, 3, 2, 3, 29))  # yesterday's slot, missed: runs now
    assert tasks() == 1

    for minute in (30, 31, 45):
        enqueue_due_schedules(now=oslo(2026, 3, 2, 3, minute))
    assert tasks() == 2

    enqueue_due_schedules(now=oslo(2026, 3, 2, 23, 59))
    assert tasks() == 2
    enqueue_due_schedules(now=oslo(2026, 3, 3, 3, 30))
    assert tasks() == 3
    assert list(
        ScheduledRun.objects.filter(schedule="retention_sweep").values_list("due_at", flat=True)
    ) == [oslo(2026, 3, 3, 3, 30), oslo(2026, 3, 2, 3, 30), oslo(2026, 3, 1, 3, 30)]


def test_ret_02_a_restarted_scheduler_does_not_enqueue_a_slot_again():
    now = oslo(2026, 3, 2, 4, 0)
    enqueue_due_schedules(now=now)
    # A restart: the process's memory is gone, the table is not.
    for _ in range(3):
        assert "retention_sweep" not in enqueue_due_schedules(now=now)
    assert tasks() == 1


def test_ret_02_a_second_scheduler_racing_for_the_same_slot_enqueues_nothing(monkeypatch):
    now = oslo(2026, 3, 2, 4, 0)
    enqueue_due_schedules(now=now)
    # The other instance read "not enqueued yet" just before the first one committed: its insert
    # hits the unique constraint, and its task is rolled back with it.
    monkeypatch.setattr(
        "wekst.scheduler.ScheduledRun.objects.filter",
        lambda **kwargs: ScheduledRun.objects.none(),
    )

    assert enqueue_due_schedules(now=now) == []
    assert tasks() == 1
    assert tasks("mail.tasks.resend_stuck_email") == 1


def test_an_interval_schedule_is_enqueued_once_per_interval():
    every = Schedule(name="every_quarter", task=SWEEP, every=datetime.timedelta(minutes=15))
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)

    for seconds in range(0, 15 * 60, 60):
        enqueue_due_schedules(schedules=(every,), now=start + datetime.timedelta(seconds=seconds))
    enqueue_due_schedules(schedules=(every,), now=start + datetime.timedelta(minutes=15))

    assert tasks() == 2


def test_a_schedule_needs_exactly_one_of_a_time_or_an_interval():
    with pytest.raises(ValueError, match="daily_at or every"):
        Schedule(name="x", task=SWEEP)
    with pytest.raises(ValueError, match="daily_at or every"):
        Schedule(name="x", task=SWEEP, daily_at=datetime.time(1), every=datetime.timedelta(1))


def test_ret_02_the_scheduler_command_enqueues_the_sweep_and_the_worker_runs_it(
    run_tasks, monkeypatch
):
    # As a long-running process, it closes stale connections between checks; here that would
    # close the connection holding the test's transaction (as run_tasks avoids for the worker).
    monkeypatch.setattr(
        "wekst.management.commands.run_scheduler.close_old_connections", lambda: None
    )
    out = io.StringIO()
    with time_machine.travel(oslo(2026, 3, 2, 3, 31), tick=False):
        call_command("run_scheduler", "--once", stdout=out)
        call_command("run_scheduler", "--once", stdout=out)
        run_tasks()

    assert out.getvalue().count("Enqueued retention_sweep") == 1
    run = SweepRun.objects.get()
    assert (run.trigger, run.status) == ("schedule", "finished")
