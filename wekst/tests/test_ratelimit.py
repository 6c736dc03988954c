"""Rate limits count the same way in Redis (production, one round trip per hit) as in the
process's memory (tests, bin/run)."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.core.cache import caches

from wekst import ratelimit
from wekst.ratelimit import Limit, hit, hit_each, hit_soon
from wekst.tests import redis_store


@pytest.fixture(params=["memory", "redis"])
def backend(request, settings):
    if request.param == "redis":
        request.getfixturevalue("in_redis")  # which deletes its own keys afterwards
    yield request.param
    if request.param == "memory":
        caches["default"].clear()


def test_a_limit_allows_its_count_per_window_then_refuses(backend):
    scope, limit = f"test:{uuid.uuid4().hex}", Limit(3, 60)

    answers = [hit(scope, "203.0.113.7", limit, now=1_000_000.0 + i) for i in range(5)]

    assert answers == [True, True, True, False, False]
    # Another address has its own count; the next window starts again.
    assert hit(scope, "203.0.113.8", limit, now=1_000_004.0) is True
    assert hit(scope, "203.0.113.7", limit, now=1_000_060.0) is True


def test_the_redis_counter_expires_with_its_window_and_holds_no_address(in_redis):
    scope, limit = f"test:{uuid.uuid4().hex}", Limit(3, 60)
    hit(scope, "kari@klinikk.example", limit, now=1_000_000.0)
    client = caches["default"]._cache.get_client(write=True)
    [key] = client.keys(f"*{scope}*")
    assert 0 < client.ttl(key) <= 61
    assert b"kari" not in key and b"klinikk" not in key


def test_threads_count_together_in_redis_each_on_a_connection_of_its_own(in_redis):
    scope, limit = f"test:{uuid.uuid4().hex}", Limit(20, 60)

    def four_hits(_):
        return [hit(scope, "203.0.113.7", limit, now=1_000_000.0) for _ in range(4)]

    with ThreadPoolExecutor(max_workers=5) as threads:
        answers = [answer for batch in threads.map(four_hits, range(5)) for answer in batch]

    assert answers == [True] * 20
    assert hit(scope, "203.0.113.7", limit, now=1_000_000.0) is False


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


def test_sec_03_redis_gone_before_the_answer_is_read_counts_in_the_process(in_redis, caplog):
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
    assert "Shared store (REDIS_URL) unavailable" in caplog.text


def test_a_test_deletes_only_its_own_keys_from_the_shared_redis(in_redis):
    # Two runs of the suite on one machine share the test Redis: emptying it after a test (a
    # cache's clear(), FLUSHDB) used to reset the other run's counters in the middle of its tests.
    client = redis.Redis.from_url(redis_store.URL)
    another_runs = redis_store.new_prefix("another-run") + ":1:counter"
    client.set(another_runs, 1, ex=60)
    prefix = in_redis
    try:
        hit(f"test:{uuid.uuid4().hex}", "203.0.113.7", Limit(3, 60), now=1_000_000.0)
        assert list(client.scan_iter(f"{prefix}:*"))

        redis_store.forget(prefix)

        assert not list(client.scan_iter(f"{prefix}:*"))
        assert client.get(another_runs) == b"1"
    finally:
        client.delete(another_runs)
