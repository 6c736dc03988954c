"""An email whose delivery task was lost is enqueued again, and only then (docs/adr/0002)."""

import datetime

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from mail.models import OutgoingEmail
from mail.services import resend_stuck_email
from mail.tasks import deliver_email

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def queued(to: str = "kari@example.no") -> OutgoingEmail:
    from mail.services import queue_email

    with time_machine.travel(START, tick=False):
        return queue_email(to=to, subject_line="Hello", body="Hello", purpose="enquiries")


def lose_its_task(email: OutgoingEmail) -> None:
    DBTaskResult.objects.filter(task_path=deliver_email.module_path).filter(
        args_kwargs__args=[email.pk]
    ).delete()


def test_a_queued_email_whose_task_was_lost_is_enqueued_again_and_delivered(smtp_server, run_tasks):
    email = queued()
    lose_its_task(email)

    assert resend_stuck_email(now=START + datetime.timedelta(minutes=14)) == 0
    assert resend_stuck_email(now=START + datetime.timedelta(minutes=16)) == 1
    # Its task is waiting now: not enqueued a second time.
    assert resend_stuck_email(now=START + datetime.timedelta(minutes=31)) == 0

    run_tasks()
    email.refresh_from_db()
    assert email.status == "sent"
    assert len(smtp_server.to("kari@example.no")) == 1


def test_an_email_with_its_task_waiting_or_sent_is_left_alone():
    waiting = queued("waiting@example.no")
    sent = queued("sent@example.no")
    lose_its_task(sent)
    OutgoingEmail.objects.filter(pk=sent.pk).update(status="sent", sent_at=START)

    assert resend_stuck_email(now=START + datetime.timedelta(hours=2)) == 0
    assert DBTaskResult.objects.filter(args_kwargs__args=[waiting.pk]).count() == 1


def test_a_retrying_email_whose_task_died_running_is_enqueued_again():
    email = queued()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status="retrying", next_attempt_at=START + datetime.timedelta(minutes=2)
    )
    DBTaskResult.objects.filter(args_kwargs__args=[email.pk]).update(
        status="RUNNING", started_at=START + datetime.timedelta(minutes=2)
    )

    assert resend_stuck_email(now=START + datetime.timedelta(minutes=10)) == 0
    assert resend_stuck_email(now=START + datetime.timedelta(minutes=30)) == 1
