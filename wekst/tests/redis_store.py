"""The Redis of the tests that need production's shared store (SEC-01, SEC-03, SEC-05, SB-02):
where it is, what a test does without it, and keys of each test's own.

Each test writes under a key prefix of its own and deletes only its own keys afterwards, never
the whole database: two runs of the suite on one machine (two clones' CI) share it, and one run
emptying it would reset the other's counters in the middle of a test.
"""

import os
import uuid

import pytest
import redis

URL = os.environ.get("WEKST_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require() -> None:
    """Skip the calling test when Redis does not answer; fail it under WEKST_REQUIRE_REDIS=1
    (.ci/run, where production's counters must be tested, not skipped)."""
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        if os.environ.get("WEKST_REQUIRE_REDIS") == "1":
            pytest.fail(f"no Redis at {URL}, and WEKST_REQUIRE_REDIS=1")
        pytest.skip(f"no Redis at {URL}")


def new_prefix(what: str) -> str:
    """A key prefix no other test (or run) uses: CACHE_KEY_PREFIX of a server, KEY_PREFIX of a
    cache."""
    return f"test-{what}-{uuid.uuid4().hex}"


def cache_settings(prefix: str) -> dict:
    """Django's CACHES with the default cache in the test Redis, under `prefix`."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": URL,
            "KEY_PREFIX": prefix,
        }
    }


def forget(prefix: str) -> None:
    """Delete the keys written under `prefix`, and nothing else."""
    client = redis.Redis.from_url(URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
