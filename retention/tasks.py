"""Background work of retention: the daily sweep (declared in wekst/schedules.py)."""

from django.tasks import task

from retention import services
from retention.models import SweepRun


@task
def sweep_retention() -> int:
    """Run the retention sweep; returns the id of its evidence (SweepRun)."""
    return services.run_sweep(trigger=SweepRun.Trigger.SCHEDULE).pk
