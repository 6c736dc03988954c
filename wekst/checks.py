"""System checks of the platform's own settings that a production deploy must not go without."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_shared_store_is_set(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """REDIS_URL in production: without it the staff lock-out and the public forms' rate limits
    are counted in each process's memory, so N processes allow N times the limit and a locked-out
    user passes again on another process (SEC-01). An error in production, silent elsewhere."""
    if settings.REDIS_URL or not settings.PRODUCTION:
        return []
    return [
        checks.Error(
            "REDIS_URL is not set: the staff sign-in lock-out and the public forms' rate limits "
            "would be counted per process, so each web process would allow the limit again.",
            hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to the Redis every web process "
            "shares (README, settings; docs/security.md).",
            id="wekst.E001",
        )
    ]
