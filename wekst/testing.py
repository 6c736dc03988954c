"""Pytest fixtures for outside email and background tasks, shared by every app's tests, and the
shifted clock that proves the suite passes at any date.

Email is tested end to end: through Django's SMTP backend to a real local SMTP server
(aiosmtpd), reading back what arrived. Tasks run through the real django-tasks-db worker.
"""

import datetime
import email
import email.policy
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Run each call in a thread of its own, with its own database connection, all released at
    one moment; what each returned, or the exception it raised, in order. On PostgreSQL their
    transactions really overlap (SQLite runs one writer at a time)."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(at: int, call: Callable[[], object]) -> None:
        try:
            start.wait()
            results[at] = call()
        except Exception as error:  # noqa: BLE001 (the test reads what a thread raised)
            results[at] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def until_a_lock_is_awaited(*, alongside: threading.Thread | None = None) -> None:
    """Return once another connection to the test database waits for a lock (PostgreSQL), or
    `alongside` has ended, or after 30 s: how a test knows two transactions really meet,
    instead of sleeping and hoping they did."""
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and (alongside is None or alongside.is_alive()):
            cursor.execute(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone() is not None:
                return
            time.sleep(0.01)  # polling for the lock wait, not waiting for time to pass


def shift_clock() -> None:
    """With WEKST_CLOCK_SHIFT_DAYS=N this process runs N days from now (the clock still ticks),
    so a test that leans on today's date instead of a point it sets itself fails there first.
    .ci/run runs the suite a year and five years ahead; a test that moves the clock itself
    (time_machine.travel) travels from inside the shifted run as usual. Processes the tests start
    shift too (wekst/shifted_clock.py)."""
    days = os.environ.get("WEKST_CLOCK_SHIFT_DAYS")
    if days:
        shifted = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=int(days))
        time_machine.travel(shifted, tick=True).start()


def pytest_configure(config):
    shift_clock()


@pytest.fixture
def fresh_rate_limits():
    """Rate limits (wekst.public_forms) count in the cache, which outlives a test: the test
    starts, and leaves, with nothing counted. An app's conftest makes it autouse for its tests."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Inbox:
    """Every message the local SMTP server received, parsed."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    # The same messages as the exact bytes the SMTP client handed over (DATA), for what parsing
    # hides: encoded words, line lengths, a signature over the bytes.
    raw: list[bytes] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            return "451 Try again later"
        self.raw.append(envelope.content)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost that Django's SMTP backend sends to; yields its Inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def run_tasks(db, monkeypatch):
    """Run every task that is due through the real database worker, then return."""
    # The worker closes "old" connections between tasks, as a long-running process should. In a
    # test that would close the connection holding the test's transaction (PostgreSQL loses it;
    # SQLite's in-memory database happens not to), just as Django's test client avoids.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run() -> None:
        call_command(
            "db_worker", batch=True, startup_delay=False, reload=False, interval=0.01, verbosity=0
        )

    return run
