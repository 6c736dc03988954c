import datetime

import pytest
import time_machine
from django.utils import timezone

from mail.models import OutgoingEmail
from mail.services import queue_email, retry_delay


@pytest.mark.django_db
def test_queued_email_arrives_at_the_smtp_server(smtp_server, run_tasks):
    email = queue_email(
        to="kari@example.no",
        subject_line="Thanks for your enquiry",
        body="We will answer within one working day.",
        purpose="enquiries",
        headers={"X-Wekst-Purpose": "enquiries"},
    )
    assert smtp_server.messages == []  # nothing leaves before the worker runs

    run_tasks()

    [message] = smtp_server.to("kari@example.no")
    assert message["Subject"] == "Thanks for your enquiry"
    assert message["X-Wekst-Purpose"] == "enquiries"
    assert "one working day" in message.get_content()
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 1


@pytest.mark.django_db
def test_email_is_kept_and_retried_until_the_smtp_server_accepts_it(smtp_server, run_tasks):
    smtp_server.refuse = True
    email = queue_email(to="kari@example.no", subject_line="Hello", body="…", purpose="enquiries")

    run_tasks()

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.RETRYING
    assert email.attempts == 1
    assert "451" in email.last_error
    assert email.next_attempt_at > timezone.now()

    smtp_server.refuse = False
    run_tasks()  # the retry is not due yet
    assert smtp_server.messages == []

    with time_machine.travel(email.next_attempt_at + datetime.timedelta(seconds=1)):
        run_tasks()

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 2
    assert len(smtp_server.to("kari@example.no")) == 1


@pytest.mark.django_db
def test_email_is_kept_when_the_smtp_server_is_down(settings, run_tasks):
    # Nothing listens on the discard port: the connection is refused.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    email = queue_email(to="kari@example.no", subject_line="Hello", body="…", purpose="enquiries")

    run_tasks()

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.RETRYING
    assert email.last_error


@pytest.mark.django_db
def test_a_sent_email_is_not_sent_again_when_its_task_runs_twice(smtp_server, run_tasks):
    from mail.tasks import deliver_email

    email = queue_email(to="kari@example.no", subject_line="Once", body="…", purpose="enquiries")
    deliver_email.enqueue(email.pk)  # as if a worker restart ran it again

    run_tasks()

    assert len(smtp_server.to("kari@example.no")) == 1


@pytest.mark.django_db
def test_email_header_injection_is_refused_and_kept_for_staff(smtp_server, run_tasks):
    email = queue_email(
        to="kari@example.no",
        subject_line="Hello\r\nBcc: victim@example.com",
        body="…",
        purpose="enquiries",
    )

    run_tasks()

    email.refresh_from_db()
    assert smtp_server.messages == []
    assert email.status == OutgoingEmail.Status.RETRYING
    assert "newline" in email.last_error.lower() or "header" in email.last_error.lower()


def test_retry_delay_grows_and_is_capped_at_an_hour():
    delays = [retry_delay(n) for n in range(1, 10)]
    assert delays[0] == datetime.timedelta(minutes=1)
    assert delays[1] == datetime.timedelta(minutes=2)
    assert delays == sorted(delays)
    assert delays[-1] == datetime.timedelta(hours=1)
