"""Moving the clock and running the sweep as the daily schedule would."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from retention.models import SweepRun
from retention.services import run_sweep

OSLO = ZoneInfo("Europe/Oslo")
START = datetime.datetime(2024, 1, 5, 9, 0, tzinfo=datetime.UTC)


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def oslo(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=OSLO)


def sweep_at(moment: datetime.datetime, **options) -> SweepRun:
    with at(moment):
        return run_sweep(trigger=SweepRun.Trigger.SCHEDULE, **options)


def count_for(run: SweepRun, rule: str):
    return run.counts.get(rule=rule)
