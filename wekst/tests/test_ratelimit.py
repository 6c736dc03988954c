"""Rate limits count the same way in Redis (production, one round trip per hit) as in the
process's memory (tests, bin/run)."""

import os
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches

from wekst import ratelimit
from wekst.ratelimit import Limit, hit, hit_each, hit_soon


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _use_redis(settings) -> None:
    if not _redis_answers():
        if os.environ.get("WEKST_REQUIRE_REDIS") == "1":  # .ci/run: production's counters
            pytest.fail("no Redis on 127.0.0.1:6379, and WEKST_REQUIRE_REDIS=1")
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }


@pytest.fixture(params=["memory", "redis"])
def backend(request, settings):
    if request.param == "redis":
        _use_redis(settings)
    yield request.param
    caches["default"].clear()


def test_a_limit_allows_its_count_per_window_then_refuses(backend):
    scope, limit = f"test:{uuid.uuid4().hex}", Limit(3, 60)

    answers = [hit(scope, "203.0.113.7", limit, now=1_000_000.0 + i) for i in range(5)]

    assert answers == [True, True, True, False, False]
    # Another address has its own count; the next window starts again.
    assert hit(scope, "203.0.113.8", limit, now=1_000_004.0) is True
    assert hit(scope, "203.0.113.7", limit, now=1_000_060.0) is True


def test_the_redis_counter_expires_with_its_window_and_holds_no_address(settings):
    _use_redis(settings)
    scope, limit = f"test:{uuid.uuid4().hex}", Limit(3, 60)
    hit(scope, "kari@klinikk.example", limit, now=1_000_000.0)
    client = caches["default"]._cache.get_client(write=True)
    [key] = client.keys(f"*{scope}*")
    assert 0 < client.ttl(key) <= 61
    assert b"kari" not in key and b"klinikk" not in key
    caches["default"].clear()


def test_threads_count_together_in_redis_each_on_a_connection_of_its_own(settings):
    _use_redis(settings)
    scope, limit = f"test:{uuid.uuid4().hex}", Limit(20, 60)

    def four_hits(_):
        return [hit(scope, "203.0.113.7", limit, now=1_000_000.0) for _ in range(4)]

    with ThreadPoolExecutor(max_workers=5) as threads:
        answers = [answer for batch in threads.map(four_hits, range(5)) for answer in batch]

    assert answers == [True] * 20
    assert hit(scope, "203.0.113.7", limit, now=1_000_000.0) is False
    caches["default"].clear()


def test_lea_04_limits_counted_together_stop_at_the_first_one_over(backend):
    client, address = f"test:{uuid.uuid4().hex}:ip", f"test:{uuid.uuid4().hex}:address"
    per_client, per_address = Limit(2, 60), Limit(3, 60)

    def both(ip: str) -> int | None:
        hits = [(client, ip, per_client), (address, "kari@klinikk.example", per_address)]
        return hit_each(hits, now=1_000_000.0)

    # The third from one client is over its limit, and its address is not counted.
    assert [both("203.0.113.7") for _ in range(3)] == [None, None, 0]
    assert [both("203.0.113.8") for _ in range(2)] == [None, 1]
    # Alone, as `hit` counts it.
    assert hit_each([(client, "203.0.113.9", per_client)], now=1_000_000.0) is None


def test_sec_05_a_count_sent_now_and_read_later_gives_the_same_verdicts(backend):
    scope, limit = f"test:{uuid.uuid4().hex}", Limit(2, 60)

    verdicts = [hit_soon(scope, "203.0.113.7", limit, now=1_000_000.0) for _ in range(3)]

    # Each sent before any is read; each read once, in any order, and read again the same.
    assert [verdicts[2](), verdicts[0](), verdicts[1](), verdicts[2]()] == [
        False,
        True,
        True,
        False,
    ]


def test_sec_05_an_answer_left_unread_is_read_before_the_threads_next_count(backend):
    """A request that fails between sending its count and reading it (a bad body, an error)
    must not leave its answer in the socket for the next request to take as its own."""
    scope, limit = f"test:{uuid.uuid4().hex}", Limit(2, 60)
    other = f"test:{uuid.uuid4().hex}"

    hit_soon(scope, "203.0.113.7", limit, now=1_000_000.0)  # never asked
    hit_soon(scope, "203.0.113.7", limit, now=1_000_000.0)  # never asked

    # Another limit's first count: were the first answer (1) or second (2) taken for it, or its
    # own answer for a later one, the verdicts below would differ.
    assert [hit(other, "203.0.113.7", Limit(1, 60), now=1_000_000.0) for _ in range(2)] == [
        True,
        False,
    ]
    assert hit(scope, "203.0.113.7", limit, now=1_000_000.0) is False  # the third of two


def test_sec_03_redis_gone_before_the_answer_is_read_counts_in_the_process(settings, caplog):
    _use_redis(settings)
    scope, limit = f"test:{uuid.uuid4().hex}", Limit(1, 60)
    verdict = hit_soon(scope, "203.0.113.7", limit, now=1_000_000.0)
    connection = ratelimit._thread.scripts[0].registered_client.connection

    def gone(*args, **kwargs):
        raise ratelimit.STORE_ERRORS[0]("Connection reset by peer")

    connection.read_response = gone
    connection.send_command = gone
    try:
        assert verdict() is True  # counted in the process's own memory instead
        assert hit(scope, "203.0.113.7", limit, now=1_000_000.0) is False
    finally:
        del connection.read_response, connection.send_command
        ratelimit._fallback.clear()
        caches["default"].clear()
    assert "Shared store (REDIS_URL) unavailable" in caplog.text
