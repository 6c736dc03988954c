"""Rate limits for public endpoints, with no third party: fixed windows counted in the cache.

Keys are keyed hashes (HMAC with the secret key), so neither an IP address nor an email address
is ever written to the cache in readable form.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `seconds` for one key."""

    count: int
    seconds: int


def _cache_key(scope: str, value: str, window: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
    return f"ratelimit:{scope}:{window}:{digest[:32]}"


def hit(scope: str, value: str, limit: Limit, *, now: float) -> bool:
    """Count one event for `value`; False when it goes over the limit for the current window."""
    window = int(now // limit.seconds)
    key = _cache_key(scope, value, window)
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
