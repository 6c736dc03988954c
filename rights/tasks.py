"""Background work of privacy requests: thin, each takes ids and calls one service."""

from django.tasks import task
from django.utils import timezone

# processor_notices enqueues pass_on_notice (and imports this module): this module imports, at
# module level, only service modules that do not import processor_notices' names.
from rights.services import deadlines, links, processor_notices


@task
def pass_on_notice(job_id: int) -> None:
    processor_notices.pass_on_notice(job_id=job_id)


@task
def pass_on_erasure(job_id: int) -> None:
    """The task's name before rectifications and restrictions were passed on too. Retries queued
    under it before that upgrade still run (the same service); remove it once none is queued."""
    processor_notices.pass_on_notice(job_id=job_id)


@task
def send_deadline_reminders() -> None:
    deadlines.send_deadline_reminders(now=timezone.now())


@task
def delete_lapsed_requests() -> None:
    links.delete_lapsed_requests(now=timezone.now())
