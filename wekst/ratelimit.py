"""Rate limits for public endpoints, with no third party: fixed windows counted in the cache.

Keys are keyed hashes (HMAC with the secret key), so neither an IP address nor an email address
is ever written to the cache in readable form.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `seconds` for one key."""

    count: int
    seconds: int


def _cache_key(scope: str, value: str, window: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
    return f"ratelimit:{scope}:{window}:{digest[:32]}"


def _count_in_redis(key: str, timeout: int) -> int | None:
    """The new count for `key` in one round trip to Redis, or None with another cache backend.

    Through Django's cache API a hit costs three round trips (add, then incr, which checks that
    the key exists first); every form submission and consent decision pays for two hits, which
    showed in the load benchmark (docs/benchmarks.md). SET NX starts the window's counter with
    its expiry, INCR counts: sent together, they are one round trip.
    """
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    full_key = backend.make_and_validate_key(key)
    pipeline = _redis_client(backend).pipeline(transaction=False)
    pipeline.set(full_key, 0, ex=timeout, nx=True)
    pipeline.incr(full_key)
    return pipeline.execute()[1]


_redis_clients: dict[int, object] = {}


def _redis_client(backend: RedisCache):
    """One Redis client per connection pool, reused.

    Django's get_client makes a new client for each call, and redis-py fills a table of some two
    hundred response callbacks for each new client: about a tenth of a consent decision's time
    in the load benchmark. A client is safe to share between threads; its pool hands out the
    connections.
    """
    pool = backend._cache._get_connection_pool(write=True)
    client = _redis_clients.get(id(pool))
    if client is None or client.connection_pool is not pool:
        client = _redis_clients[id(pool)] = backend._cache.get_client(write=True)
    return client


def hit(scope: str, value: str, limit: Limit, *, now: float) -> bool:
    """Count one event for `value`; False when it goes over the limit for the current window."""
    window = int(now // limit.seconds)
    key = _cache_key(scope, value, window)
    count = _count_in_redis(key, limit.seconds + 1)
    if count is not None:
        return count <= limit.count
    if cache.add(key, 1, timeout=limit.seconds + 1):
        return True
    try:
        return cache.incr(key) <= limit.count
    except ValueError:  # expired between add and incr: this is the first event of a new window
        cache.add(key, 1, timeout=limit.seconds + 1)
        return True


def client_ip(request) -> str:
    """The client address Django was given (set REMOTE_ADDR correctly at the proxy)."""
    return request.META.get("REMOTE_ADDR", "")
