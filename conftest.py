"""Fixtures shared by every app's tests, and the browser for the browser tests."""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["wekst.testing"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request to a /nb/ page activates Norwegian in
    this thread, and it would otherwise leak into the next test's commands and services."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _verified_client(user):
    """A test client of its own, signed in as `user` with both factors (staff/testing.py)."""
    from django.test import Client

    from staff.testing import sign_in_verified

    client = Client()
    sign_in_verified(client, user)
    return client


def _role_client(django_user_model, username: str, group: str):
    from django.contrib.auth.models import Group

    from staff.services import sync_roles

    sync_roles()
    user = django_user_model.objects.create_user(
        username=username, password="correct horse battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return _verified_client(user)


@pytest.fixture
def staff_client(db, django_user_model):
    """Staff with no role (no permissions), signed in with a verified second factor."""
    user = django_user_model.objects.create_user(
        username="staff", password="correct horse battery", is_staff=True
    )
    return _verified_client(user)


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's superuser, signed in with a verified second factor."""
    return _verified_client(admin_user)


@pytest.fixture
def sales_client(db, django_user_model):
    """Staff in the Sales role (leads, meetings, subscribers), verified."""
    return _role_client(django_user_model, "sales", "Sales")


@pytest.fixture
def privacy_officer_client(db, django_user_model):
    """Staff in the Privacy officer role (requests, breaches, retention, logs), verified."""
    return _role_client(django_user_model, "privacy-officer", "Privacy officer")


class _OneRequestAtATime:
    """The live server's application, answering one request at a time.

    With an in-memory SQLite test database, pytest-django's live server hands the test's one
    connection to every request thread. A browser's requests overlap (the page and its
    /favicon.ico, say), and two threads on one sqlite3 connection fail with "bad parameter or other
    API misuse": a 503 and a flaky test. PostgreSQL gives each thread its own connection and is
    left concurrent.
    """

    def __init__(self, application):
        self.application = application
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            return self.application(environ, start_response)


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, serialised when it shares an in-memory SQLite connection.

    Started after the test database is set up (`django_db_setup` first): started before, when the
    first test to use it asked for it ahead of the database, it took the file database's settings,
    shared no connection, and each request thread opened a connection of its own to the in-memory
    database, whose shared cache refuses a write while another connection reads ("database table
    is locked": test_live_server.py)."""
    thread = live_server.thread
    if thread.connections_override:
        thread.httpd.set_app(_OneRequestAtATime(thread.httpd.get_app()))
    return live_server


# Debian's Chromium, driven by the Playwright package's own driver: no browser download, the same
# browser locally and in CI (.ci/run, where WEKST_REQUIRE_BROWSER=1 makes its absence an error).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No requests of the browser's own, so that a test sees only what the site makes it send.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the whole session; skipped (or failed, in CI) without one."""
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} is missing: install Debian's chromium package (bin/test does, as root)."
        )
        if os.environ.get("WEKST_REQUIRE_BROWSER") == "1":
            pytest.fail(f"WEKST_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in this thread, and Django then
    # refuses ORM calls from it (SynchronousOnlyOperation) even though nothing runs concurrently.
    # Allowed here only, for as long as the browser is up, so that other tests keep the guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh browser context and page per test (no cookies or storage carried over).

    `page.requests` lists the URL of every request the browser made in this context, in order,
    including those of frames and pop-ups, so a test can prove where the browser sent data.
    Use it with pytest-django's `live_server` for a served site.
    """
    # A fixed language, so that LocaleMiddleware serves English whatever the machine's locale.
    context = browser.new_context(locale="en-GB")
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    new_page = context.new_page()
    new_page.requests = requests
    yield new_page
    context.close()
