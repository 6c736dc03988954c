"""Failure tests: the parts the platform depends on fail, and nothing is lost (issue 9, item 2).

- the database goes away half way through a form submission: the visitor gets a clear 503 page
  with what they typed, nothing is half stored, and sending again succeeds;
- a processor's erasure connector fails: the erasure is retried with backoff, shown in the back
  office, and completed when the processor is back;
- the background worker is killed mid-task: the task is recovered, runs again and finishes once;
- the SMTP server is down: the email of a real form submission waits and is sent when it is back.

Real processes where the failure is a process's: a real SMTP server (aiosmtpd), a real HTTP
server for the processor, a real `manage.py db_worker` killed with SIGKILL, and on PostgreSQL a
database connection really terminated by the server.
"""

import asyncio
import datetime
import html.parser
import http.cookiejar
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import OperationalError, connection, connections
from django.tasks import TaskResultStatus
from django.test import Client, RequestFactory
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from consent.models import ConsentDecision
from leads import services as lead_services
from leads.models import Lead
from leads.tests.factories import contact_form_data, make_lead
from mail.models import OutgoingEmail
from mail.services import queue_email
from processors.testing import put_on_record
from rights.models import ProcessorNotice
from rights.services import erase_subject
from subjects.models import Subject
from wekst.testing import Inbox
from wekst.unavailable import server_error
from wekst.workers import recover_stuck_tasks, worker_id_for

ROOT = Path(django_settings.BASE_DIR)
STAFF = ["sales@wekst.test", "owner@wekst.test"]
POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="terminates a real PostgreSQL connection"
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(fresh_rate_limits):
    """Every test here starts with no submission counted (wekst.testing)."""


@pytest.fixture
def staff_inbox(settings):
    settings.WEKST_STAFF_EMAILS = STAFF
    return STAFF


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Forms(html.parser.HTMLParser):
    """The fields of every POST form of a page: {action: {name: value}}."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append((attrs.get("action") or "", []))
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1][1].append((attrs["name"], attrs.get("value") or ""))


def post_forms(page: str) -> list[tuple[str, list[tuple[str, str]]]]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def _lose_database_at(table: str, seen: list[str], *, statement: str = "INSERT"):
    """A query wrapper that lets every statement through until the first `statement` on
    `table` (an INSERT also in a `WITH … INSERT` chain), which fails as a connection lost at that
    moment does. `seen` collects the tables of the INSERTs that went through before."""
    starts = ("INSERT", "WITH") if statement == "INSERT" else (statement,)

    def wrapper(execute, sql, params, many, context):
        text = sql.lstrip().upper()
        if text.startswith(starts) and f'"{table.upper()}"' in text:
            raise OperationalError("server closed the connection unexpectedly")
        if text.startswith("INSERT"):
            seen.append(sql.split('"')[1])
        return execute(sql, params, many, context)

    return wrapper


# The database goes away during a form submission ---------------------------------------------


@pytest.mark.django_db
def test_sec_03_a_lost_database_mid_submission_stores_nothing_and_keeps_the_input(
    staff_inbox, run_tasks
):
    visitor = Client(enforce_csrf_checks=True)
    form_page = visitor.get("/contact/").text
    [(_, fields)] = [form for form in post_forms(form_page) if form[0] in ("", "/contact/")]
    token = dict(fields)["csrfmiddlewaretoken"]
    typed = contact_form_data(message="Two clinics in Bergen.\nCall me after 15:00, please.")

    inserts: list[str] = []
    task_table = DBTaskResult._meta.db_table
    with connection.execute_wrapper(_lose_database_at(task_table, inserts)):
        response = visitor.post("/contact/", {**typed, "csrfmiddlewaretoken": token})

    # The lead was written, then the connection went before the task telling staff could be
    # (on PostgreSQL a new person, the lead and the task are one statement, lost as a whole).
    first_in_one = connection.vendor == "postgresql"
    assert inserts == ([] if first_in_one else ["subjects_subject", "leads_lead"])
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.text
    assert "nothing you sent was saved" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert "Two clinics in Bergen.<br>Call me after 15:00, please." in page  # shown, to copy
    assert "<dt>Company or clinic</dt><dd>Nordmann Tannklinikk</dd>" in page
    # Nothing half stored: no lead without its notice to staff, no notice without its lead.
    assert not Lead.objects.exists()
    assert not Subject.objects.exists()
    assert not OutgoingEmail.objects.exists()
    assert not DBTaskResult.objects.exists()

    # The visitor sends it again from the error page, once the database is back.
    [(action, kept)] = post_forms(page)
    assert action == "/contact/"
    assert {name: value for name, value in kept if name in typed} == typed
    response = visitor.post(action, dict(kept))

    assert response.status_code == 302
    assert response["Location"] == "/contact/thanks/"
    lead = Lead.objects.get()
    assert lead.message == typed["message"]
    assert DBTaskResult.objects.count() == 1  # tell staff, committed with the lead
    run_tasks()
    assert sorted(OutgoingEmail.objects.values_list("to_address", flat=True)) == sorted(STAFF)


@pytest.mark.django_db
def test_sec_03_a_lost_database_never_echoes_a_password_back():
    with connection.execute_wrapper(_lose_database_at("auth_user", [], statement="SELECT")):
        response = Client().post(
            "/account/login/",
            {"username": "kari@klinikk.example", "password": "a secret only Kari knows"},
        )

    assert response.status_code == 503
    assert "a secret only Kari knows" not in response.text
    assert 'name="username" value="kari@klinikk.example"' in response.text


# transaction=True: requests run in autocommit, as in production, where the decision is one
# INSERT with no transaction around it.
@pytest.mark.django_db(transaction=True)
def test_sec_03_a_lost_database_on_the_consent_endpoint_answers_json_503():
    inserts: list[str] = []
    with connection.execute_wrapper(_lose_database_at("consent_consentdecision", inserts)):
        response = Client().post(
            "/consent/",
            {"choice": "reject_all"},
            headers={"Accept": "application/json", "Sec-Fetch-Site": "same-origin"},
        )

    assert response.status_code == 503
    assert "nothing you sent was saved" in response.json()["error"]
    assert "csrftoken" not in response.cookies  # no cookie before a choice (CON-01)
    assert not ConsentDecision.objects.exists()


def test_sec_03_a_database_error_outside_a_view_gets_the_503_page_not_a_500():
    request = RequestFactory().get("/articles/")
    try:
        raise OperationalError("could not connect to server: Connection refused")
    except OperationalError:
        with translation.override("en"):
            response = server_error(request)
    assert response.status_code == 503
    assert b"nothing you sent was saved" in response.content

    try:
        raise ValueError("a bug, not an outage")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_sec_03_a_connection_terminated_by_postgresql_mid_submission_is_retried_over_http(
    live_server, staff_inbox, monkeypatch, run_tasks
):
    """The real thing: the web process's database connection is killed by the server inside
    the submission's transaction, after the person's row is locked and before their lead and its
    email are stored; the visitor retries through the page they got, and it works. The person is
    known already, so the submission takes the transaction path (a new person's is one
    statement, with nothing between: leads/tests/test_sec_05_first_enquiry.py)."""
    original = lead_services._store_enquiry
    terminated: list[int] = []

    def store_after_losing_the_database(*args, **kwargs):
        if not terminated:
            pid = connection.connection.info.backend_pid  # the server thread's own connection
            killer = connections.create_connection("default")
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            killer.close()
            terminated.append(pid)
        return original(*args, **kwargs)

    monkeypatch.setattr(lead_services, "_store_enquiry", store_after_losing_the_database)
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = browser.open(f"{live_server.url}/contact/", timeout=30).read().decode()
    [(_, fields)] = [form for form in post_forms(page) if form[0] in ("", "/contact/")]
    typed = contact_form_data()
    Subject.objects.create(email=typed["email"])
    body = urllib.parse.urlencode({**dict(fields), **typed}).encode()

    with pytest.raises(urllib.error.HTTPError) as answer:
        browser.open(f"{live_server.url}/contact/", data=body, timeout=30)

    assert terminated
    assert answer.value.code == 503
    page = answer.value.read().decode()
    assert "nothing you sent was saved" in page
    assert not Lead.objects.exists() and not OutgoingEmail.objects.exists()

    [(action, kept)] = post_forms(page)
    retried = browser.open(
        f"{live_server.url}{action}", data=urllib.parse.urlencode(kept).encode(), timeout=30
    )
    assert retried.status == 200
    assert retried.url.endswith("/contact/thanks/")
    assert Lead.objects.get().email == typed["email"]
    run_tasks()
    assert OutgoingEmail.objects.count() == len(STAFF)


# A processor's erasure connector fails --------------------------------------------------------


class _Brevo:
    """Brevo's contact API on a local port: records each call and answers 204."""

    def __init__(self, port: int):
        self.calls: list[tuple[str, str]] = []
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def do_DELETE(self):  # noqa: N802 - http.server's hook name
                calls.append((self.command, self.path))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.django_db
def test_rig_04_an_erasure_at_a_processor_that_is_down_is_retried_shown_and_completed(
    settings, admin_client, run_tasks, staff_inbox, tmp_path
):
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    put_on_record("email_provider")  # send() reaches Brevo only with its agreement (DEC-07)
    port = _free_port()  # nothing listens there yet: the processor is down
    settings.BREVO_API_KEY = "brevo-test-key"
    settings.BREVO_API_URL = f"http://127.0.0.1:{port}/v3"
    lead = make_lead(email="kari@klinikk.example", name="Kari Nordmann")
    start = timezone.now()

    erase_subject(subject=lead.subject, actor="admin", reason="erasure request")
    run_tasks()

    job = ProcessorNotice.objects.get(processor="email_provider")
    assert (job.status, job.attempts) == (ProcessorNotice.Status.PENDING, 1)
    assert "Connection refused" in job.last_error
    assert job.next_attempt_at >= start + datetime.timedelta(minutes=1)
    # Staff see it waiting, and why, in the back office.
    listing = admin_client.get("/admin/rights/processornotice/").text
    assert "Pending, will retry" in listing and "[Errno 111] Connection" in listing

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=70)):
        run_tasks()  # still down: the second try doubles the wait
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ProcessorNotice.Status.PENDING, 2)
    assert job.next_attempt_at >= start + datetime.timedelta(seconds=70 + 120)

    brevo = _Brevo(port)  # the processor is back
    try:
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=4)):
            run_tasks()
    finally:
        brevo.stop()

    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error) == (ProcessorNotice.Status.DONE, 3, "")
    assert brevo.calls == [("DELETE", "/v3/contacts/kari%40klinikk.example")]
    listing = admin_client.get("/admin/rights/processornotice/?status=done").text
    assert "Errno 111" not in listing and "Done" in listing


# The SMTP server is down ----------------------------------------------------------------------


@contextmanager
def smtp_server_on(port: int, inbox: Inbox):
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.mark.django_db
def test_lea_01_mail_of_a_form_sent_while_smtp_is_down_is_delivered_when_it_is_back(
    client, settings, run_tasks, staff_inbox
):
    port = _free_port()  # the mail server is down
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    response = client.post("/contact/", contact_form_data())
    assert response.status_code == 302  # the visitor is not kept waiting by the outage
    run_tasks()

    for email in OutgoingEmail.objects.all():
        assert email.status == OutgoingEmail.Status.RETRYING
        assert email.attempts == 1
        assert "ConnectionRefusedError" in email.last_error

    later = timezone.now() + datetime.timedelta(minutes=2)
    with smtp_server_on(port, Inbox()) as inbox, time_machine.travel(later):
        run_tasks()

    for address in STAFF:
        [message] = inbox.to(address)
        assert message["Subject"] == "New enquiry from Kari Nordmann"
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert set(OutgoingEmail.objects.values_list("attempts", flat=True)) == {2}


# The worker is killed mid-task ----------------------------------------------------------------


class _SlowInbox(Inbox):
    """An SMTP server whose first recipient takes long to accept: a worker sending its first
    email is caught mid-task."""

    def __init__(self):
        super().__init__()
        self.first_recipient = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if not self.first_recipient.is_set():
            self.first_recipient.set()
            await asyncio.sleep(30)
        envelope.rcpt_tos.append(address)
        return "250 OK"


@contextmanager
def database_shared_with_subprocesses(tmp_path):
    """A DATABASE_URL that a subprocess can open, holding this test's (committed) data.

    PostgreSQL: the test database itself. SQLite: the test database is in this process's
    memory, so it is copied to a file and this process's connection moves to that file.
    """
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        user = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
        yield f"postgres://{user}@{params['HOST']}:{params['PORT'] or 5432}/{params['NAME']}"
        return
    connection.ensure_connection()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    path = tmp_path / "worker.sqlite3"
    copy = sqlite3.connect(path)
    memory.backup(copy)
    copy.close()
    connection.settings_dict["NAME"] = str(path)
    connection.connection = None
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def _start_worker(database_url: str, smtp_port: int, *, batch: bool) -> subprocess.Popen:
    """`manage.py db_worker` as bin/run starts it: named <host>:<pid> through exec."""
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": database_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
    }
    options = "--batch" if batch else ""
    command = (
        f'exec "{sys.executable}" -m wekst.shifted_clock manage.py db_worker --queue-name "*" --no-reload '
        f'--no-startup-delay --interval 0.1 --verbosity 0 {options} --worker-id "${{HOSTNAME:0:40}}:$$"'
    )
    return subprocess.Popen(["bash", "-c", command], cwd=ROOT, env=env)  # noqa: S603, S607


def _wait_for(condition, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_killed_worker_runs_again_and_finishes_once(settings, tmp_path):
    settings.TASKS_STUCK_AFTER_SECONDS = 600
    port = _free_port()
    inbox = _SlowInbox()
    with database_shared_with_subprocesses(tmp_path) as database_url, smtp_server_on(port, inbox):
        email = queue_email(
            to="kari@klinikk.example",
            subject_line="Your guide",
            body="Here it is.",
            purpose="enquiries",
        )
        task = DBTaskResult.objects.get()
        worker = _start_worker(database_url, port, batch=False)
        try:
            _wait_for(lambda: inbox.first_recipient.is_set(), "the worker to start sending")
            task.refresh_from_db()
            assert task.status == TaskResultStatus.RUNNING
            assert task.worker_ids == [worker_id_for(worker.pid)]
            later = timezone.now() + datetime.timedelta(seconds=601)
            # A live worker's task is left alone, however long it runs.
            assert recover_stuck_tasks(now=later).requeued == []

            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()

        task.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING  # what django-tasks-db leaves behind
        email.refresh_from_db()
        assert email.status == OutgoingEmail.Status.QUEUED and inbox.messages == []
        # Not before the timeout: the worker might only be slow (on another host).
        assert recover_stuck_tasks(now=timezone.now()).requeued == []
        assert recover_stuck_tasks(now=later).requeued == [str(task.pk)]
        task.refresh_from_db()
        assert task.status == TaskResultStatus.READY

        second = _start_worker(database_url, port, batch=True)
        assert second.wait(timeout=120) == 0

        task.refresh_from_db()
        assert task.status == TaskResultStatus.SUCCESSFUL
        assert len(task.worker_ids) == 2
        email.refresh_from_db()
        assert email.status == OutgoingEmail.Status.SENT and email.attempts == 1
        [message] = inbox.messages
        assert message["Subject"] == "Your guide"

        # Run once more (a duplicate recovery, a restored backup): nothing is sent twice.
        from mail.tasks import deliver_email

        deliver_email.enqueue(email.pk)
        assert _start_worker(database_url, port, batch=True).wait(timeout=120) == 0
        assert len(inbox.messages) == 1
        assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2


@pytest.mark.django_db
def test_a_task_whose_workers_keep_dying_is_failed_not_run_forever(settings):
    settings.TASKS_STUCK_AFTER_SECONDS = 60
    settings.TASKS_MAX_WORKER_DEATHS = 3
    email = queue_email(to="a@b.example", subject_line="s", body="b", purpose="enquiries")
    task = DBTaskResult.objects.get()
    started = timezone.now() - datetime.timedelta(minutes=5)
    # Ids from another host, or without a pid: only the timeout can tell.
    task.status, task.started_at = TaskResultStatus.RUNNING, started
    task.worker_ids = ["other-host:123", "0123456789abcdef"]
    task.save()

    assert recover_stuck_tasks().requeued == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY

    task.status, task.started_at = TaskResultStatus.RUNNING, started
    task.worker_ids = [*task.worker_ids, "other-host:456"]
    task.save()
    recovery = recover_stuck_tasks()

    assert recovery.failed == [str(task.pk)] and recovery.requeued == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert "died 3 times" in task.traceback
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED  # resend_stuck_email still owns it


def test_stuck_tasks_are_recovered_every_five_minutes_by_the_scheduler():
    from wekst.schedules import SCHEDULES

    [schedule] = [s for s in SCHEDULES if s.name == "recover_stuck_tasks"]
    assert schedule.task == "wekst.tasks.recover_stuck_tasks"
    assert schedule.every == datetime.timedelta(minutes=5)
