"""Failed staff sign-ins, counted per username and per client IP; too many lock that key out.

Counted in the cache through wekst.ratelimit rather than with django-axes: no new table of
readable usernames and IP addresses to declare and expire (the keys are keyed hashes), the same
Redis that the public forms' limits use is shared by every worker, and the lock-out covers both
steps of the sign-in (password and one-time code), which axes (an authentication backend) does not
see. A username lock-out can be used to keep one person out for a while; that is the accepted
price of stopping password guessing (OWASP Authentication Cheat Sheet, "account lockout").
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache

from wekst.ratelimit import STORE_ERRORS, Limit, StoreUnavailable, hit

USERNAME, IP = "username", "ip"


def _keys(*, username: str, ip: str) -> list[tuple[str, str, int]]:
    return [
        (USERNAME, username.strip().lower(), settings.STAFF_SIGN_IN_MAX_FAILURES_PER_USERNAME),
        (IP, ip, settings.STAFF_SIGN_IN_MAX_FAILURES_PER_IP),
    ]


def _lock_key(scope: str, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
    return f"staff-lockout:{scope}:{digest[:32]}"


def locked_until(*, username: str, ip: str, now: float) -> float | None:
    """When the lock-out on this username or this IP ends, or None when neither is locked.

    Raises StoreUnavailable when the shared store does not answer: the sign-in fails closed, for
    a password checked without its lock-out counter could be guessed without limit.
    """
    try:
        ends = [
            cache.get(_lock_key(scope, value), 0)
            for scope, value, _ in _keys(username=username, ip=ip)
        ]
    except STORE_ERRORS as error:
        raise StoreUnavailable from error
    latest = max(ends, default=0)
    return latest if latest > now else None


def record_failure(*, username: str, ip: str, now: float) -> bool:
    """Count one failed step (password or code); True when this failure started a lock-out.

    The N-th failure within the window locks the username (or the IP) for the lock-out period,
    during which even the right password is refused.
    """
    window = settings.STAFF_SIGN_IN_FAILURE_WINDOW_SECONDS
    lockout = settings.STAFF_SIGN_IN_LOCKOUT_SECONDS
    locked = False
    for scope, value, most in _keys(username=username, ip=ip):
        if not value:
            continue
        # hit() allows `count` events and refuses the next: the most-th failure is refused.
        limit = Limit(count=most - 1, seconds=window)
        if not hit(f"staff-sign-in-{scope}", value, limit, now=now, fail_open=False):
            try:
                cache.set(_lock_key(scope, value), now + lockout, timeout=lockout + 1)
            except STORE_ERRORS as error:
                raise StoreUnavailable from error
            locked = True
    return locked
