"""The hosts a recipient is reached at, as the declaration names them (DEC-07).

`browser_hosts`: what a visitor's browser contacts for the recipient, only after consent to its
`consent_category`; `server_hosts`: what our server calls (processors.connectors.send).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from declaration.schema import Activity, Recipient

# A lower-case DNS name, or "*." and a domain for its subdomains (a tenant's subdomain).
HOST_PATTERN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
OPTIONAL_CATEGORIES = ("analytics", "marketing", "embedded")


def host_matches(host: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """Whether `host` is one of `patterns` ("*.example.com" matches its subdomains only)."""
    host = host.lower().rstrip(".")
    return any(
        host.endswith(pattern[1:]) if pattern.startswith("*.") else host == pattern
        for pattern in patterns
    )


def parse_hosts(value, key: str) -> tuple[tuple[str, ...], list[str]]:
    """(the hosts, the problems with them) of one `browser_hosts` or `server_hosts` list."""
    if not isinstance(value, list):
        return (), [f"{key} must be a list of host names"]
    problems = [
        f"{key}: {host!r} is not a host name (like www.example.com)"
        for host in value
        if not (isinstance(host, str) and HOST_PATTERN.match(host))
    ]
    return tuple(str(host) for host in value), problems


def recipient_host_problems(
    recipients: dict[str, Recipient], activities: dict[str, Activity]
) -> list[tuple[str, str]]:
    """(entry, problem) for each recipient a browser contacts without a consent to hold it to:
    no third party loads in a visitor's browser before consent (ekomloven § 3-15, CK-01), so its
    category is one a visitor can refuse, and an activity on consent names the recipient."""
    problems = []
    for key, recipient in recipients.items():
        where = f"recipients.{key}"
        if recipient.browser_hosts and recipient.consent_category not in OPTIONAL_CATEGORIES:
            problems.append(
                (
                    where,
                    f"browser_hosts need a consent_category ({', '.join(OPTIONAL_CATEGORIES)}): "
                    "no third party loads in a visitor's browser without consent",
                )
            )
        elif recipient.consent_category and not recipient.browser_hosts:
            problems.append((where, "consent_category is set but no browser_hosts are declared"))
        elif recipient.browser_hosts and not any(
            a.legal_basis == "consent" and key in a.recipients for a in activities.values()
        ):
            problems.append(
                (where, "browser_hosts are declared but no activity on consent names it")
            )
    return problems
