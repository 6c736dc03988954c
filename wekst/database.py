"""The database connection settings, from the DATABASE_URL that wekst/settings.py reads.

Several processes write to one SQLite file (the web server's workers, the task worker, the
scheduler). WAL lets reads go on during a write; IMMEDIATE takes the write lock when a
transaction starts, so that writers queue for it (up to the timeout) instead of one failing
half way with "database is locked" (docs/benchmarks.md).

A connection kept between requests is checked before a request uses it (CONN_HEALTH_CHECKS):
after PostgreSQL restarts, the first request of each thread reconnects instead of failing on
the dead connection with the 503 page (bench/faults.py, docs/benchmarks.md). PostgreSQL's
backend is Django's own with a check that asks the kernel, not the server (wekst/postgresql).
"""

import dj_database_url

SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}


def database_settings(url: str, *, production: bool) -> dict:
    """Django's settings for the database at `url`: connections kept a minute in production,
    checked before reuse."""
    database = dj_database_url.parse(
        url, conn_max_age=60 if production else 0, conn_health_checks=production
    )
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["ENGINE"] = "wekst.postgresql"
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    return database
