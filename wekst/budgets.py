"""Per-request budgets of the hot paths (bench/budgets.toml; issue 23) and the counters that
check them: SQL statements as Django's CaptureQueriesContext counts them (BEGIN and COMMIT are
not statements there; SAVEPOINT and RELEASE are) and Redis round trips (a command, or a pipeline
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


def request_budget(path: str) -> dict:
    """The per-request budget of one path ("consent decision", "contact POST", ...)."""
    return next(b for b in budgets()["request"] if b["path"] == path)


@dataclass
class Calls:
    count: int = 0


@contextmanager
def count_redis_calls() -> Iterator[Calls]:
    """Counts round trips to Redis made by any client in this process while open."""
    import redis

    calls = Calls()
    real_execute, real_pipeline = redis.Redis.execute_command, redis.client.Pipeline.execute

    def execute_command(self, *args, **kwargs):
        calls.count += 1
        return real_execute(self, *args, **kwargs)

    def pipeline_execute(self, *args, **kwargs):
        calls.count += 1
        return real_pipeline(self, *args, **kwargs)

    redis.Redis.execute_command = execute_command
    redis.client.Pipeline.execute = pipeline_execute
    try:
        yield calls
    finally:
        redis.Redis.execute_command = real_execute
        redis.client.Pipeline.execute = real_pipeline
