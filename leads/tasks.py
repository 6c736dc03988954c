"""Background work for leads: telling staff of a new lead or of a meeting's change, and the daily
check of Art. 14 notices (declared in wekst/schedules.py)."""

from django.tasks import task

from leads import other_sources, services


@task
def tell_staff(lead_id: int, meeting_id: int | None = None) -> int:
    return services.tell_staff(lead_id=lead_id, meeting_id=meeting_id)


@task
def check_art14_notices() -> int:
    """Give the Art. 14 notices now possible and tell staff of those near or past their month."""
    return other_sources.check_art14_notices().queued
