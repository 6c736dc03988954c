"""The kept database connection's health check asks the kernel, not the server (SEC-03, SEC-05;
wekst/postgresql/base.py): a connection the server has ended is found and replaced before a
request uses it, and a healthy one costs no round trip."""

import glob
import json
import shutil
import time

import psycopg
import pytest
from django.db import DataError, OperationalError, connection, connections

from wekst.database import database_settings
from wekst.tests.bench_scripts import run_bench, said

POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ends a real PostgreSQL connection"
)


def test_sec_03_production_uses_the_backend_whose_check_costs_no_round_trip():
    production = database_settings("postgres://wekst@db.example/wekst", production=True)
    sqlite = database_settings("sqlite:////tmp/wekst.sqlite3", production=True)

    assert production["ENGINE"] == "wekst.postgresql"
    assert production["CONN_HEALTH_CHECKS"] is True
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"


@pytest.fixture
def kept_connection(db):
    """A second connection to the test database, outside the test's transaction, in autocommit
    and with the health check on, as a web process keeps one between requests."""
    kept = connections.create_connection("default")
    kept.ensure_connection()
    kept.health_check_enabled = True  # after connecting, which sets it from the settings
    yield kept
    kept.close()


class _NoQueries:
    """Stands in for the driver's connection: any query sent through it fails the test."""

    def __init__(self, real):
        self.real = real

    def __getattr__(self, name):
        if name in ("execute", "cursor"):
            raise AssertionError(f"the health check sent a query ({name})")
        return getattr(self.real, name)


def _request_starts(kept) -> None:
    """What Django does before a request's first query on a kept connection."""
    kept.health_check_done = False
    kept.close_if_health_check_failed()


@POSTGRES_ONLY
def test_sec_05_a_healthy_kept_connection_is_checked_without_a_query(kept_connection):
    real = kept_connection.connection
    kept_connection.connection = _NoQueries(real)
    try:
        _request_starts(kept_connection)
        assert kept_connection.connection is not None  # kept, not replaced
    finally:
        kept_connection.connection = real
    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def _end_from_the_server(kept) -> None:
    with psycopg.connect(**kept.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [kept.connection.info.backend_pid])
    # The server's goodbye reaches the socket a moment later; the check must see it then.
    time.sleep(0.2)


@POSTGRES_ONLY
def test_sec_03_a_kept_connection_the_server_ended_is_replaced_before_the_request_uses_it(
    kept_connection,
):
    old_pid = kept_connection.connection.info.backend_pid
    _end_from_the_server(kept_connection)

    _request_starts(kept_connection)

    assert kept_connection.connection is None  # closed by the check
    with kept_connection.cursor() as cursor:  # the request's first query reconnects
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != old_pid


@POSTGRES_ONLY
def test_sec_03_without_the_check_the_ended_connection_fails_the_request(kept_connection):
    """The check above is what saves the request: unchecked, the dead connection is used."""
    kept_connection.health_check_enabled = False
    _end_from_the_server(kept_connection)

    _request_starts(kept_connection)

    with pytest.raises(OperationalError), kept_connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@POSTGRES_ONLY
def test_sec_03_a_connection_inside_a_transaction_is_checked_with_a_query(kept_connection):
    """Not idle, the socket says nothing certain: Django's own SELECT 1 decides."""
    kept_connection.set_autocommit(False)
    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # a transaction is open now
    assert kept_connection.is_usable() is True
    with pytest.raises(DataError), kept_connection.cursor() as cursor:
        cursor.execute("SELECT 1/0")
    assert kept_connection.is_usable() is False  # the failed transaction: as Django finds it
    kept_connection.rollback()
    kept_connection.set_autocommit(True)


def _postgresql_server_installed() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb") or shutil.which("initdb"))


@pytest.mark.skipif(
    not _postgresql_server_installed() or not shutil.which("openssl"),
    reason="starts a PostgreSQL cluster of its own over TLS: needs initdb and openssl",
)
def test_sec_03_over_tls_a_kept_connection_is_found_usable_until_the_server_ends_it(tmp_path):
    """ADR 0014: records TLS might send an idle connection would make every request replace a
    good one. A cluster of the bench's own, TLS only, and the production backend: usable right
    after connecting and after idling, the same server process throughout, unusable once ended."""
    report = tmp_path / "tls.json"
    done = run_bench("tls_health_check.py", "--idle", "0,1", "--report", str(report), timeout=300)

    assert report.exists(), said(done)
    checks = {check["what"]: check for check in json.loads(report.read_text())}
    assert checks["the connection is over TLS"]["found"].startswith("TLS")
    assert checks["usable right after connecting"]["ok"]
    assert checks["usable after 1 s idle, the same server process"]["ok"]
    assert checks["unusable once the server ended it"]["ok"]
    assert all(check["ok"] for check in checks.values()), checks
    assert done.returncode == 0
