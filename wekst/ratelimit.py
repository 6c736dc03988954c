"""Rate limits for public endpoints, with no third party: fixed windows counted in the cache.

Keys are keyed hashes (HMAC with the secret key), so neither an IP address nor an email address
is ever written to the cache in readable form.
"""

import hashlib
import hmac
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# What the shared store raises when it is gone (refused, timed out, reset).
STORE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class StoreUnavailable(Exception):
    """The shared store (Redis) did not answer: a count that must be shared cannot be made."""


# When Redis goes away the public forms fail open onto this process's own counters (the same
# limits, counted per process) rather than turning every visitor away; docs/security.md.
_fallback = LocMemCache(
    "wekst-ratelimit-fallback", {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 10_000}}
)


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `seconds` for one key."""

    count: int
    seconds: int


def _cache_key(scope: str, value: str, window: int) -> str:
    digest = hmac.digest(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hex()
    return f"ratelimit:{scope}:{window}:{digest[:32]}"


# Counts one event and starts the window's expiry with its first: one command, atomic in Redis.
COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""

# Counts one event for each key in turn, stopping at the first that goes over its limit (the
# keys after it are not counted): ARGV holds each key's window expiry and limit. Returns the
# position (from 1) of the key that went over, or 0.
COUNT_EACH_SCRIPT = """
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[2 * i - 1]) end
  if count > tonumber(ARGV[2 * i]) then return i end
end
return 0
"""

_thread = threading.local()


def _count_in_redis(key: str, timeout: int) -> int | None:
    """The new count for `key` in one command to Redis, or None with another cache backend.

    Through Django's cache API a hit costs three round trips (add, then incr, which checks that
    the key exists first), and every form submission and consent decision pays for one or two
    hits. Here a hit is one script call on a connection of the calling thread's own; checking
    a connection out of the shared pool polls its socket first, and that, with the client
    redis-py builds per call and a pipeline of two commands, was most of the rate limit's cost
    in the load benchmark (docs/benchmarks.md).
    """
    return _run_in_redis(0, [key], [timeout])


def _run_in_redis(script_at: int, keys: list[str], args: list[int]) -> int | None:
    """The answer of the thread's script COUNT_SCRIPT (0) or COUNT_EACH_SCRIPT (1) over `keys`
    in one command to Redis, or None with another cache backend."""
    answer = _send_to_redis(script_at, keys, args)
    return None if answer is None else answer()


def _send_to_redis(script_at: int, keys: list[str], args: list[int]) -> Callable[[], int] | None:
    """Send the command of _run_in_redis and return what reads its answer, or None with another
    cache backend. Until the answer is read, the request goes on with its own work while Redis
    counts: the reply is then waiting in the socket, and the process does not sleep for it
    (docs/benchmarks.md). A reply left unread is read before the thread's next command."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    unread = getattr(_thread, "unread", None)
    if unread is not None:
        unread()
    pool = backend._cache._get_connection_pool(write=True)
    scripts = getattr(_thread, "scripts", None)
    if scripts is None or scripts[0].registered_client.connection_pool is not pool:
        if scripts is not None:  # another cache configuration: give the old connection back
            scripts[0].registered_client.close()
        client = redis.Redis(connection_pool=pool, single_connection_client=True)
        scripts = _thread.scripts = (
            client.register_script(COUNT_SCRIPT),
            client.register_script(COUNT_EACH_SCRIPT),
        )
    script = scripts[script_at]
    # Our own keys (ASCII, short): the cache's prefix and version without its key checks.
    keys = [backend.make_key(key) for key in keys]
    connection = script.registered_client.connection
    try:
        # The script's command straight on the thread's connection: the client's command
        # machinery (its retries, response callbacks, options) cost as much again as the round
        # trip itself on the consent endpoint (docs/benchmarks.md, `bench/run perf`).
        connection.send_command("EVALSHA", script.sha, len(keys), *keys, *args)
    except STORE_ERRORS:
        # The connection was dropped: the client reconnects, with its retries.
        return lambda: script(keys=keys, args=args)
    answers: list[int] = []

    def answer() -> int:
        if answers:
            return answers[0]
        _thread.unread = None
        try:
            answers.append(connection.read_response())
        except redis.exceptions.NoScriptError:
            # The server lost its scripts (a restart, SCRIPT FLUSH): the client loads it again.
            answers.append(script(keys=keys, args=args))
        except STORE_ERRORS:
            answers.append(script(keys=keys, args=args))
        return answers[0]

    _thread.unread = answer
    return answer


def hit(scope: str, value: str, limit: Limit, *, now: float, fail_open: bool = True) -> bool:
    """Count one event for `value`; False when it goes over the limit for the current window.

    When the shared store does not answer: with `fail_open`, the event is counted in this
    process's memory instead and an error is logged; without it, StoreUnavailable is raised (the
    staff lock-out, which must not check a password it cannot count).
    """
    return hit_soon(scope, value, limit, now=now, fail_open=fail_open)()


def hit_soon(
    scope: str, value: str, limit: Limit, *, now: float, fail_open: bool = True
) -> Callable[[], bool]:
    """`hit`, with the count sent now and its verdict read when the returned function is
    called: what the request does in between overlaps Redis's round trip (the consent
    endpoint parses the decision meanwhile; docs/benchmarks.md)."""
    window = int(now // limit.seconds)
    key = _cache_key(scope, value, window)

    def shared_store_gone(error: Exception) -> bool:
        if not fail_open:
            raise StoreUnavailable from error
        logger.error(
            "Shared store (REDIS_URL) unavailable: rate limit %s counted in this process only (%s)",
            scope.split(":")[0],
            type(error).__name__,
        )
        return _count_in(_fallback, key, limit)

    try:
        answer = _send_to_redis(0, [key], [limit.seconds + 1])
        if answer is None:
            verdict = _count_in(cache, key, limit)
            return lambda: verdict
    except STORE_ERRORS as error:
        verdict = shared_store_gone(error)
        return lambda: verdict

    def allowed() -> bool:
        try:
            return answer() <= limit.count
        except STORE_ERRORS as error:
            return shared_store_gone(error)

    return allowed


def hit_each(
    hits: list[tuple[str, str, Limit]], *, now: float, fail_open: bool = True
) -> int | None:
    """Count one event for each (scope, value, limit) in turn, as `hit` for each would, in one
    round trip to Redis; stop at the first that goes over its limit, whose position is returned
    (the ones after it are not counted); None when none does. The contact form's POST counts
    its client and its address so (wekst.public_forms; docs/benchmarks.md)."""
    keys = [_cache_key(scope, value, int(now // limit.seconds)) for scope, value, limit in hits]
    try:
        args = []
        for _scope, _value, limit in hits:
            args += [limit.seconds + 1, limit.count]
        over = _run_in_redis(1, keys, args)
        if over is not None:
            return over - 1 if over else None
        return _first_over(cache, keys, hits)
    except STORE_ERRORS as error:
        if not fail_open:
            raise StoreUnavailable from error
        logger.error(
            "Shared store (REDIS_URL) unavailable: rate limit %s counted in this process only (%s)",
            hits[0][0].split(":")[0],
            type(error).__name__,
        )
        return _first_over(_fallback, keys, hits)


def _first_over(store, keys: list[str], hits: list[tuple[str, str, Limit]]) -> int | None:
    for position, (key, (_scope, _value, limit)) in enumerate(zip(keys, hits, strict=True)):
        if not _count_in(store, key, limit):
            return position
    return None


def _count_in(store, key: str, limit: Limit) -> bool:
    if store.add(key, 1, timeout=limit.seconds + 1):
        return True
    try:
        return store.incr(key) <= limit.count
    except ValueError:  # expired between add and incr: this is the first event of a new window
        store.add(key, 1, timeout=limit.seconds + 1)
        return True


def client_ip(request) -> str:
    """The client address Django was given (set REMOTE_ADDR correctly at the proxy)."""
    return request.META.get("REMOTE_ADDR", "")
