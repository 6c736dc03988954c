"""Background work for leads: telling staff of a new lead or of a meeting's change."""

from django.tasks import task

from leads import services


@task
def tell_staff(lead_id: int, meeting_id: int | None = None) -> int:
    return services.tell_staff(lead_id=lead_id, meeting_id=meeting_id)
