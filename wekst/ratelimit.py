"""Rate limits for public endpoints, with no third party: fixed windows counted in the cache.

Keys are keyed hashes (HMAC with the secret key), so neither an IP address nor an email address
is ever written to the cache in readable form.
"""

import hashlib
import hmac
import logging
import threading
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
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    pool = backend._cache._get_connection_pool(write=True)
    script = getattr(_thread, "count_script", None)
    if script is None or script.registered_client.connection_pool is not pool:
        if script is not None:  # another cache configuration: give the old connection back
            script.registered_client.close()
        client = redis.Redis(connection_pool=pool, single_connection_client=True)
        script = _thread.count_script = client.register_script(COUNT_SCRIPT)
    # Our own keys (ASCII, short): the cache's prefix and version without its key checks.
    key = backend.make_key(key)
    connection = script.registered_client.connection
    try:
        # The script's command straight on the thread's connection: the client's command
        # machinery (its retries, response callbacks, options) cost as much again as the round
        # trip itself on the consent endpoint (docs/benchmarks.md, `bench/run perf`).
        connection.send_command("EVALSHA", script.sha, 1, key, timeout)
        return connection.read_response()
    except redis.exceptions.NoScriptError:
        pass  # the server lost its scripts (a restart, SCRIPT FLUSH): the client loads it again
    except STORE_ERRORS:
        pass  # the connection was dropped: the client reconnects, with its retries
    return script(keys=[key], args=[timeout])


def hit(scope: str, value: str, limit: Limit, *, now: float, fail_open: bool = True) -> bool:
    """Count one event for `value`; False when it goes over the limit for the current window.

    When the shared store does not answer: with `fail_open`, the event is counted in this
    process's memory instead and an error is logged; without it, StoreUnavailable is raised (the
    staff lock-out, which must not check a password it cannot count).
    """
    window = int(now // limit.seconds)
    key = _cache_key(scope, value, window)
    try:
        count = _count_in_redis(key, limit.seconds + 1)
        if count is not None:
            return count <= limit.count
        return _count_in(cache, key, limit)
    except STORE_ERRORS as error:
        if not fail_open:
            raise StoreUnavailable from error
        logger.error(
            "Shared store (REDIS_URL) unavailable: rate limit %s counted in this process only (%s)",
            scope.split(":")[0],
            type(error).__name__,
        )
        return _count_in(_fallback, key, limit)


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
