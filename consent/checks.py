"""System checks of what the consent-gated code lets a visitor's browser contact (DEC-07).

The check keeps its id declaration.E004 (what it finds missing is a declaration entry); it lives
here because the embed providers are this app's, and the declaration sits below it
(docs/overview.md, "The layers").
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from consent.embeds import PROVIDERS
from declaration.hosts import host_matches
from declaration.schema import Declaration
from declaration.selectors import get_declaration


def _covered(source_host: str, patterns: tuple[str, ...]) -> bool:
    if source_host.startswith("*."):
        return any(
            pattern.startswith("*.") and source_host[1:].endswith(pattern[1:])
            for pattern in patterns
        )
    return host_matches(source_host, patterns)


def browser_hosts_allowed_by_code() -> dict[str, str]:
    """Host (or *.domain) -> where the code lets a visitor's browser contact it: every source
    of the Content Security Policy that is not this site, and every embed provider's address."""
    hosts = {}
    for directive, sources in (settings.SECURE_CSP or {}).items():
        for source in sources:
            if str(source).startswith(("https://", "http://")):
                hosts[urlsplit(str(source)).netloc] = f"SECURE_CSP {directive}"
    for key, provider in PROVIDERS.items():
        hosts[urlsplit(provider.src_prefix).netloc] = f"the {key} embed (consent/embeds.py)"
    return hosts


@checks.register()
def check_browser_hosts_are_declared(
    app_configs=None, *, declaration: Declaration | None = None, **kwargs
) -> list[checks.CheckMessage]:
    """Every host the code lets a visitor's browser contact is declared for a recipient, with the
    consent category it loads under (DEC-07): the browser crawl then holds it to that category."""
    declaration = get_declaration() if declaration is None else declaration
    declared = tuple(h for r in declaration.recipients.values() for h in r.browser_hosts)
    return [
        checks.Error(
            f"{where} lets the browser contact {host}, which no recipient declares in its "
            "browser_hosts.",
            hint="Add the host to the browser_hosts of the recipient it belongs to (with its "
            "consent_category), or remove it from the code.",
            id="declaration.E004",
        )
        for host, where in browser_hosts_allowed_by_code().items()
        if not _covered(host, declared)
    ]
