"""The bench databases: created when missing, settled after seeding, and counted after a run.

The same databases as bench/rights_bench.py, never the test suite's.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

SQLITE_PATH = Path(tempfile.gettempdir()) / "wekst_bench.sqlite3"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_NAME = "wekst_bench"


def database_url(kind: str) -> str:
    """The bench database of this kind; the PostgreSQL one is created if missing."""
    if kind == "sqlite":
        return f"sqlite:///{SQLITE_PATH}"
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{PG_NAME}"')
    return f"{PG_SERVER}/{PG_NAME}"


def _query(env: dict[str, str], sql: str, params: tuple = ()) -> int:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchone()[0]
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(sql, params).fetchone()[0]


def settle(env: dict[str, str]) -> None:
    """Let the database finish what the seeding left for later (vacuum, statistics, the
    checkpoint), so that the load is not measured against a bulk load's aftermath."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("ANALYZE")
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
        connection.execute("CHECKPOINT")


def count_rows(env: dict[str, str], table: str) -> int:
    return _query(env, f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own table names


def count_stored(env: dict[str, str], scenario: str, *, run_id: str, since: datetime) -> int:
    """Rows this run stored: its leads (their address carries the run id, common.lua), or the
    consent decisions made since it started. Other runs' rows, and other benchmarks using the
    same database at the same time, do not count."""
    if scenario == "contact":
        return _query(
            env, "SELECT count(*) FROM leads_lead WHERE email LIKE %s", (f"kari.{run_id}-%",)
        )
    if scenario == "consent":
        if env["DATABASE_URL"].startswith("sqlite:///"):
            # Django keeps SQLite times as UTC text, which sorts as time does.
            value = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        else:
            value = since
        return _query(
            env, "SELECT count(*) FROM consent_consentdecision WHERE decided_at >= %s", (value,)
        )
    raise ValueError(scenario)
