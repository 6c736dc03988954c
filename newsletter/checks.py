"""System checks for the newsletter's configuration."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


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


@checks.register()
def check_unsubscribe_mailto(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The mailto: in List-Unsubscribe leaves as plain ASCII (mail/message.py): an address that
    cannot would hold back every newsletter email."""
    address = settings.NEWSLETTER_UNSUBSCRIBE_MAILTO
    if not address:
        return []
    try:
        validate_email(address)
        valid = address.isascii()
    except ValidationError:
        valid = False
    if valid:
        return []
    return [
        checks.Error(
            f"NEWSLETTER_UNSUBSCRIBE_MAILTO {address!r} is not a plain ASCII email address.",
            hint="Set an address staff read, or leave it empty for no mailto "
            "(docs/email-delivery.md).",
            id="newsletter.E002",
        )
    ]
