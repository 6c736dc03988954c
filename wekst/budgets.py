"""Per-request budgets of the hot paths (bench/budgets.toml; issue 23) and the counters that
check them: SQL statements as Django's CaptureQueriesContext captures them, less BEGIN and
COMMIT, which a transaction costs whatever it holds (`statements`; SAVEPOINT and RELEASE count) and Redis round trips (a command, or a pipeline
sent at once). Used by the budget tests and by bench/perf.py; nothing in a request uses it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BUDGETS_FILE = Path(__file__).resolve().parent.parent / "bench" / "budgets.toml"


def budgets() -> dict:
    return tomllib.loads(BUDGETS_FILE.read_text())


def request_budget(path: str, vendor: str = "") -> dict:
    """The per-request budget of one path ("consent decision", "contact POST", ...), on the
    database `vendor` ("postgresql", "sqlite") when the path's budget differs there."""
    budget = next(b for b in budgets()["request"] if b["path"] == path)
    return {**budget, **budget.get(vendor, {})}


def statements(captured: list[dict]) -> list[str]:
    """The statements of a budget among the queries CaptureQueriesContext captured: all but the
    transaction's own BEGIN (BEGIN IMMEDIATE on SQLite) and COMMIT."""
    return [
        q["sql"] for q in captured if not (q["sql"].startswith("BEGIN") or q["sql"] == "COMMIT")
    ]


@dataclass
class Calls:
    count: int = 0


@contextmanager
def count_redis_calls() -> Iterator[Calls]:
    """Counts round trips to Redis made in this process while open: each time a connection
    sends (one command, or a pipeline's commands at once), whatever client sent it."""
    from redis.connection import AbstractConnection

    calls = Calls()
    real_send = AbstractConnection.send_packed_command

    def send_packed_command(self, *args, **kwargs):
        calls.count += 1
        return real_send(self, *args, **kwargs)

    AbstractConnection.send_packed_command = send_packed_command
    try:
        yield calls
    finally:
        AbstractConnection.send_packed_command = real_send
