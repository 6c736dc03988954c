"""Background work of privacy requests: thin, each takes ids and calls one service."""

from django.tasks import task
from django.utils import timezone

from rights import passing_on, services


@task
def pass_on_notice(job_id: int) -> None:
    passing_on.pass_on_notice(job_id=job_id)


@task
def pass_on_erasure(job_id: int) -> None:
    """The task's name before rectifications and restrictions were passed on too. Retries queued
    under it before that upgrade still run (the same service); remove it once none is queued."""
    passing_on.pass_on_notice(job_id=job_id)


@task
def send_deadline_reminders() -> None:
    services.send_deadline_reminders(now=timezone.now())


@task
def delete_lapsed_requests() -> None:
    services.delete_lapsed_requests(now=timezone.now())
