"""Settings builders for where the platform counts and where it writes: the cache and the logs.

Kept out of settings.py (which only reads the environment) because each needs a few lines of why.
"""


def cache_settings(*, redis_url: str, key_prefix: str) -> dict:
    """Redis when a URL is given: one store shared by every web process, which the staff lock-out
    and the public forms' limits need (docs/security.md). Otherwise this process's memory, enough
    for bin/run and the tests. The prefix separates sites sharing one Redis."""
    if not redis_url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": key_prefix,
        # A Redis that is gone is noticed in a second, not after the kernel's timeout.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


def logging_settings(*, level: str) -> dict:
    """One line per request: wekst.ip.RequestLogMiddleware's (method, path, status, duration,
    truncated address). Django's own line for each 4xx or 5xx answer ("Not Found: /path"), the
    CSRF middleware's "Forbidden (CSRF cookie not set.)" and a 413's "Request body exceeded ..."
    would each be a second line for the same request; an uncaught error's traceback is kept."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"tracebacks_only": {"()": "wekst.ip.TracebacksOnly"}},
        "handlers": {"console": {"class": "logging.StreamHandler"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {"filters": ["tracebacks_only"]},
            "django.security.csrf": {"level": "ERROR"},
            **{
                f"django.security.{name}": {"level": "CRITICAL"}
                for name in ("RequestDataTooBig", "TooManyFieldsSent", "TooManyFilesSent")
            },
        },
    }
