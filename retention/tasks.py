"""Background work of retention: the daily sweep and the reconciliation of processors (declared in
wekst/schedules.py)."""

from django.tasks import task

from retention import reconciliation, services
from retention.models import SweepRun


@task
def sweep_retention() -> int:
    """Run the retention sweep; returns the id of its evidence (SweepRun)."""
    return services.run_sweep(trigger=SweepRun.Trigger.SCHEDULE).pk


@task
def reconcile_processors() -> int:
    """Check what processors still hold beyond their rule (RT-09); returns the findings."""
    checks = reconciliation.reconcile_processors(trigger=SweepRun.Trigger.SCHEDULE)
    return sum(check.still_held for check in checks)
