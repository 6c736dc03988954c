"""What a browser was seen to store and contact, compared with the declaration (DEC-07).

The browser crawl (consent/tests/test_dec_07_crawl.py) records every cookie, every storage key and
the host of every request a page makes in each consent state; these functions say which of them
the declaration does not allow in that state, and which declared ones were never seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from declaration.hosts import host_matches
from declaration.schema import Cookie, Declaration

COOKIE = "cookie"
HOST = "host"  # a request to another host than the site's own


@dataclass(frozen=True)
class Seen:
    """One thing a page did: set a cookie (`kind` "cookie"), store a key ("local", "session",
    "indexeddb"), or ask another host for something ("host")."""

    kind: str
    name: str
    page: str
    state: str
    party: str = ""  # cookies: "first" (the site's own domain) or "third"


def _entries_for(declaration: Declaration, seen: Seen) -> list[Cookie]:
    if seen.kind == COOKIE:
        return [cookie for cookie in declaration.cookies if cookie.matches(seen.name)]
    return [
        key for key in declaration.storage_keys if key.kind == seen.kind and key.matches(seen.name)
    ]


def _where(seen: Seen) -> str:
    what = {COOKIE: "cookie", HOST: "request to", "indexeddb": "IndexedDB database"}.get(
        seen.kind, f"{seen.kind}Storage key"
    )
    return f"{what} {seen.name!r} on {seen.page} in state {seen.state!r}"


def find_undeclared(
    declaration: Declaration, seen: Iterable[Seen], *, allowed: dict[str, set[str]]
) -> list[str]:
    """One line per thing seen that the declaration does not allow in the state it was seen in,
    naming it, the page and the state. `allowed` maps a state to the cookie categories it
    allows ("necessary" is always allowed)."""
    problems = []
    for item in dict.fromkeys(seen):
        categories = {"necessary", *allowed[item.state]}
        if item.kind == HOST:
            recipients = [
                r
                for r in declaration.recipients.values()
                if host_matches(item.name, r.browser_hosts)
            ]
            if not recipients:
                problems.append(f"{_where(item)}: no recipient declares this host")
            elif not any(r.consent_category in categories for r in recipients):
                declared = ", ".join(f"{r.key} ({r.consent_category})" for r in recipients)
                problems.append(
                    f"{_where(item)}: declared for {declared}, which this state does not allow"
                )
            continue
        entries = _entries_for(declaration, item)
        if not entries:
            problems.append(f"{_where(item)}: not in the declaration")
        elif not any(entry.category in categories for entry in entries):
            declared = ", ".join(sorted({entry.category for entry in entries}))
            problems.append(
                f"{_where(item)}: declared as {declared}, which this state does not allow"
            )
        elif item.party and not any(entry.party == item.party for entry in entries):
            problems.append(f"{_where(item)}: set as {item.party} party, declared otherwise")
    return problems


def find_never_seen(declaration: Declaration, seen: Iterable[Seen]) -> list[str]:
    """Declared cookies, storage keys and browser hosts that no page was seen to use: reported,
    not failed (a crawl with the third parties stood in for cannot see what they would set)."""
    seen = list(seen)
    names = {(item.kind, item.name) for item in seen}
    hosts = {item.name for item in seen if item.kind == HOST}
    missing = [
        f"cookie {cookie.name!r} ({cookie.category}, {cookie.provider})"
        for cookie in declaration.cookies
        if not any(kind == COOKIE and cookie.matches(name) for kind, name in names)
    ]
    missing += [
        f"{key.kind} key {key.name!r} ({key.category}, {key.provider})"
        for key in declaration.storage_keys
        if not any(kind == key.kind and key.matches(name) for kind, name in names)
    ]
    missing += [
        f"host {host!r} ({recipient.key}, {recipient.consent_category})"
        for recipient in declaration.recipients.values()
        for host in recipient.browser_hosts
        if not any(host_matches(seen_host, (host,)) for seen_host in hosts)
    ]
    return missing
