"""Queueing and delivering email. Email is work that must never be lost (docs/overview.md)."""

import datetime
import logging

from django.conf import settings
from django.db import models, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mail import tasks
from mail.guards import check_may_send
from mail.message import OutgoingMessage
from mail.models import OutgoingEmail
from subjects.models import Subject

logger = logging.getLogger(__name__)

MAX_BACKOFF = datetime.timedelta(hours=1)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff from one minute, capped at an hour: a long outage costs few tries."""
    return min(datetime.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def queue_email(
    *,
    to: str,
    subject_line: str,
    body: str,
    purpose: str,
    subject: Subject | None = None,
    headers: dict[str, str] | None = None,
) -> OutgoingEmail:
    """Store an email and enqueue its delivery in the caller's transaction.

    The task row (django-tasks-db) commits or rolls back together with the change that caused
    the email, so there is never a sent email for a change that did not happen, nor a change whose
    email was silently dropped. An email to a person for a processing they objected to is refused
    with ProcessingStopped and nothing is stored (GDPR Art. 21; rights.processing, registered as
    a guard in mail.guards).
    """
    check_may_send(to=to, subject=subject, purpose=purpose)
    # No savepoint of its own inside a caller's transaction: the two rows go with the caller's.
    with transaction.atomic(savepoint=False):
        email = OutgoingEmail.objects.create(
            to_address=to,
            subject_line=subject_line,
            body_text=body,
            purpose=purpose,
            subject=subject,
            headers=headers or {},
        )
        tasks.deliver_email.enqueue(email.pk)
    return email


def deliver_email(*, email_id: int) -> None:
    """Send one stored email; on failure schedule another try, without limit, and record why.

    Idempotent: an email already sent (a task run twice after a worker restart) is not sent again.
    """
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status == OutgoingEmail.Status.SENT:
            return
        message = OutgoingMessage(
            subject=email.subject_line,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to_address],
            headers=email.headers,
        )
        email.attempts += 1
        try:
            # The message is built, signed (DKIM) and written by the backend here: a missing key
            # is a failure to send like any other, retried with its reason recorded.
            message.send()
        except Exception as error:  # noqa: BLE001 - any failure to send means: try again later
            email.status = OutgoingEmail.Status.RETRYING
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            email.next_attempt_at = timezone.now() + retry_delay(email.attempts)
            email.save(update_fields=["status", "last_error", "next_attempt_at", "attempts"])
            tasks.deliver_email.using(run_after=email.next_attempt_at).enqueue(email.pk)
            logger.warning("Email %s not sent (attempt %s): %s", email.pk, email.attempts, error)
            return
        email.status = OutgoingEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.next_attempt_at = None
        email.save(update_fields=["status", "sent_at", "last_error", "next_attempt_at", "attempts"])


def cancel_unsent_email(*, subject: Subject, purpose: str) -> int:
    """Delete the subject's emails for `purpose` that are not sent yet; returns how many.

    For a withdrawal that must stop mail at once (an unsubscribe). An email the worker is sending
    at this moment holds its row lock (deliver_email), so this waits for it and leaves it sent.
    """
    # DELETE waits on that lock, then sees the row as sent and leaves it.
    pending = [OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.RETRYING]
    unsent = OutgoingEmail.objects.filter(subject=subject, purpose=purpose, status__in=pending)
    return unsent.delete()[0]


STUCK_AFTER = datetime.timedelta(minutes=15)


def resend_stuck_email(*, now: datetime.datetime | None = None) -> int:
    """Enqueue delivery again for every unsent email that waits with no delivery task; a count.

    An email is stuck when its next try is overdue by STUCK_AFTER (a queued email counts from its
    creation) and no task for it is waiting or running: the task was lost (a worker killed
    mid-task, a database restored from a backup). deliver_email is idempotent, so an email that
    is sent meanwhile is not sent twice. Runs every 15 minutes (wekst/schedules.py).
    """
    now = now or timezone.now()
    overdue = now - STUCK_AFTER
    unsent = OutgoingEmail.objects.filter(
        status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.RETRYING]
    ).filter(
        models.Q(next_attempt_at__lte=overdue)
        | models.Q(next_attempt_at__isnull=True, created_at__lte=overdue)
    )
    # A task still running after STUCK_AFTER is a dead worker's: sending takes seconds.
    waiting = (
        DBTaskResult.objects.filter(task_path=tasks.deliver_email.module_path)
        .filter(
            models.Q(status=TaskResultStatus.READY)
            | models.Q(status=TaskResultStatus.RUNNING, started_at__gt=overdue)
        )
        .values_list("args_kwargs", flat=True)
    )
    pending = {call["args"][0] for call in waiting if call.get("args")}
    resent = 0
    for email_id in list(unsent.values_list("pk", flat=True)):
        if email_id in pending:
            continue
        with transaction.atomic():
            tasks.deliver_email.enqueue(email_id)
        resent += 1
    if resent:
        logger.warning("Re-enqueued %s stuck email(s)", resent)
    return resent
