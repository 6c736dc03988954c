"""System checks for the newsletter's configuration."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_site_url_is_https(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """RFC 8058 §3.1: the List-Unsubscribe header must hold an HTTPS URI."""
    if settings.WEKST_SITE_URL.startswith("https://"):
        return []
    return [
        checks.Error(
            f"WEKST_SITE_URL is {settings.WEKST_SITE_URL!r}: newsletter unsubscribe links must be "
            "HTTPS (RFC 8058).",
            hint="Set WEKST_SITE_URL to the public https:// address of the site.",
            id="newsletter.E001",
        )
    ]
