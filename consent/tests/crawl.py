"""The DEC-07 crawl: every public page, in each consent state, with what the browser stores and asks.

Pages are found from the URL configuration (every named page without parameters, in English and
under /nb/) and by following same-origin links from the home pages with Django's test client;
anything under /admin/ (the back office) and anything that is not an HTML page for an anonymous
visitor is left out. The browser then visits each page once per consent state, one browser context
per state, and records every cookie, every localStorage, sessionStorage and IndexedDB key, and the
host of every request to another origin. Those requests never leave the machine: each is answered
with an empty response. So the crawl sees what the site itself makes the browser do (the Google
tag requested, an embed's frame loaded); it cannot see what the real third-party code would then
do (the _ga cookies gtag.js sets, the hosts a YouTube player calls). docs/consent.md says so.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from declaration.observed import COOKIE, HOST, Seen

LANGUAGES = ("en", "nb")
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")
MAX_PAGES = 120
_HREF = re.compile(r"""href=["']([^"'#]+)""")

# Consent state -> the optional cookie categories it allows ("necessary" is always allowed).
# GPC: the browser sends the signal and the visitor then presses "Accept all"; analytics and
# marketing stay refused (CON-07), embedded media is accepted.
STATES: dict[str, set[str]] = {
    "no choice": set(),
    "reject all": set(),
    "accept all": {"analytics", "marketing", "embedded"},
    "analytics only": {"analytics"},
    "marketing only": {"marketing"},
    "embedded only": {"embedded"},
    "GPC, accept all": {"embedded"},
}
_CHOOSE_ONE = {
    "analytics only": "analytics",
    "marketing only": "marketing",
    "embedded only": "embedded",
}


def _paths_without_parameters(patterns, prefix: str = "") -> Iterator[str]:
    """`namespace:name` of every named URL pattern that needs no argument."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if _has_parameters(pattern):
                continue
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _paths_without_parameters(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and not _has_parameters(pattern):
            yield f"{prefix}{pattern.name}"


def _has_parameters(pattern) -> bool:
    inner = pattern.pattern
    if getattr(inner, "converters", None):
        return True
    regex = getattr(inner, "regex", None)
    return bool(regex is not None and regex.groups)


def discover_pages(*, extra: tuple[str, ...] = ()) -> list[str]:
    """The public pages: paths of HTML pages an anonymous visitor gets (200), in both languages."""
    candidates = []
    for name in dict.fromkeys(_paths_without_parameters(get_resolver().url_patterns)):
        for language in LANGUAGES:
            with translation.override(language):
                candidates.append(reverse(name))
    candidates += [*extra, "/", "/nb/"]
    client = Client()
    pages: list[str] = []
    queue = list(dict.fromkeys(candidates))
    tried = set(queue)
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path.startswith(SKIPPED_PREFIXES):
            continue
        response = client.get(path)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(
            "text/html"
        ):
            continue
        pages.append(path)
        for href in _HREF.findall(response.content.decode("utf-8", "replace")):
            link = urlsplit(urljoin("http://testserver" + path, href))
            if link.netloc != "testserver" or link.scheme not in ("http", "https"):
                continue
            target = link.path + (f"?{link.query}" if link.query else "")
            if target not in tried:
                tried.add(target)
                queue.append(target)
    return pages


def public_pages() -> list[str]:
    """Every public page, in both languages: the one list the DEC-07 crawl, the ACC-01 axe test
    and bench/lighthouse.py go through. Besides what discover_pages finds, the first clinic's
    enquiry form and its thank-you page, which nothing on the site links to (clinics send their
    own link)."""
    from clinics.models import Clinic

    extra: list[str] = []
    clinic = Clinic.objects.order_by("slug").first()
    if clinic is not None:
        for language in LANGUAGES:
            with translation.override(language):
                extra += [
                    reverse("clinics:clinic_contact", kwargs={"slug": clinic.slug}),
                    reverse("clinics:clinic_contact_thanks", kwargs={"slug": clinic.slug}),
                ]
    return discover_pages(extra=tuple(extra))


@dataclass
class StateCrawl:
    state: str
    seen: list[Seen] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0


def crawl_state(browser, base_url: str, pages: list[str], state: str) -> StateCrawl:
    """Visit every page in one consent state, in one browser context; record what is stored and
    which other hosts are asked."""
    result = StateCrawl(state=state)
    started = time.monotonic()
    own = urlsplit(base_url).netloc
    own_host = urlsplit(base_url).hostname
    gpc = state.startswith("GPC")
    context = browser.new_context(
        locale="en-GB", extra_http_headers={"Sec-GPC": "1"} if gpc else None
    )
    if gpc:
        context.add_init_script(
            "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
        )
    current = {"page": pages[0]}

    def on_request(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.netloc != own:
            result.seen.append(Seen(HOST, parts.hostname or "", current["page"], state))

    context.on("request", on_request)
    # Nothing leaves the machine: every other origin gets an empty answer.
    context.route(
        re.compile(rf"^(?!https?://{re.escape(own)}/)"),
        lambda route: route.fulfill(status=200, body=""),
    )
    known: set[tuple] = set()
    page = context.new_page()
    try:
        page.goto(base_url + pages[0])
        make_choice(page, state)
        for path in pages:
            current["page"] = path
            page.goto(base_url + path, wait_until="load")
            if "embedded" in STATES[state]:
                load_embeds(page)
            # One round trip to the server: anything the page started has been asked by now.
            page.evaluate("() => fetch('/.well-known/gpc.json').then(r => r.status)")
            _record_storage(page, path, state, own_host, known, result.seen)
            result.pages += 1
    finally:
        context.close()
    result.seconds = time.monotonic() - started
    return result


def make_choice(page, state: str) -> None:
    """Make the state's choice in the banner, as a visitor would (nothing for "no choice")."""
    if state == "no choice":
        return
    box = page.locator("#wekst-consent")
    if state in _CHOOSE_ONE:
        box.locator("summary").click()
        box.locator(f"input[name={_CHOOSE_ONE[state]}]").check()
        button = "choose"
    else:
        button = "reject_all" if state == "reject all" else "accept_all"
    with page.expect_response(lambda r: urlsplit(r.url).path.endswith("/consent/")) as answer:
        box.locator(f"button[value={button}]").click()
    assert answer.value.status == 200, f"the banner did not store the choice for {state!r}"


def load_embeds(page) -> None:
    """Click every placeholder still showing (consent to embedded media loads them anyway)."""
    for button in page.locator("[data-consent-load]:visible").all():
        button.click()


def _record_storage(page, path: str, state: str, own_host, known: set, seen: list) -> None:
    for cookie in page.context.cookies():
        key = (COOKIE, cookie["name"], cookie["domain"])
        if key not in known:
            known.add(key)
            party = "first" if cookie["domain"].lstrip(".") == own_host else "third"
            seen.append(Seen(COOKIE, cookie["name"], path, state, party))
    for frame in page.frames:
        try:
            stored = frame.evaluate(
                """async () => ({
                    local: Object.keys(localStorage), session: Object.keys(sessionStorage),
                    indexeddb: indexedDB.databases
                        ? (await indexedDB.databases()).map(d => d.name) : [],
                })"""
            )
        except Exception:  # noqa: BLE001,S112 - a frame gone or without storage holds nothing to record
            continue
        frame_host = urlsplit(frame.url).hostname
        party = "first" if frame_host == own_host else "third"
        for kind, names in stored.items():
            for name in names:
                key = (kind, name, frame_host)
                if key not in known:
                    known.add(key)
                    seen.append(Seen(kind, name, path, state, party))
