"""System checks for outgoing mail: DKIM signing (Gmail's and Yahoo's bulk-sender rules)."""

from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_dkim_is_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """RFC 8058 §4: one-click unsubscribe needs a DKIM signature over both List-Unsubscribe
    headers; without one, Gmail and Yahoo neither offer it nor accept bulk mail well."""
    path = settings.DKIM_PRIVATE_KEY_PATH
    if not path:
        return [
            checks.Warning(
                "DKIM_PRIVATE_KEY_PATH is not set: outgoing email leaves unsigned (no DKIM).",
                hint="Set DKIM_SELECTOR, DKIM_DOMAIN and DKIM_PRIVATE_KEY_PATH and publish the "
                "public key (docs/email-delivery.md).",
                id="mail.W001",
            )
        ]
    from_domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2].lower()
    dkim_domain = settings.DKIM_DOMAIN.lower()
    # DMARC passes on DKIM only when the signing domain aligns with From (RFC 7489 §3.1.1).
    if from_domain != dkim_domain and not from_domain.endswith("." + dkim_domain):
        return [
            checks.Warning(
                f"DKIM_DOMAIN {dkim_domain!r} does not align with the From domain "
                f"{from_domain!r} (DEFAULT_FROM_EMAIL): DMARC will not pass on DKIM.",
                hint="Sign with the From address's domain (docs/email-delivery.md).",
                id="mail.W002",
            )
        ]
    return []


@checks.register()
def check_dkim_key_is_usable(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A configured but unusable key would hold back every email (mail/message.py dkim_key)."""
    path = settings.DKIM_PRIVATE_KEY_PATH
    if not path:
        return []
    problems = []
    if not (settings.DKIM_SELECTOR and settings.DKIM_DOMAIN):
        problems.append("DKIM_SELECTOR and DKIM_DOMAIN must be set with DKIM_PRIVATE_KEY_PATH")
    if not Path(path).is_file():
        problems.append(f"DKIM_PRIVATE_KEY_PATH {path!r} is not a readable file")
    return [
        checks.Error(
            f"{problem}: every email would wait unsent.",
            hint="docs/email-delivery.md",
            id="mail.E001",
        )
        for problem in problems
    ]
