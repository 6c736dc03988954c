"""DEC-07 in the browser: every public page, in every consent state, uses only what is declared.

The crawl (consent/tests/crawl.py) records every cookie, storage key and third-party host; the
declaration (declaration.observed) says which of them each state allows. Anything else fails the
test, naming it, the page and the state. Declared things never seen are reported, not failed.
Run: python -m pytest -q -p no:cacheprovider -s consent/tests/test_dec_07_crawl.py
"""

import time
import warnings

import pytest
from django.urls import path

from consent.tests.browser import MEASUREMENT_ID
from consent.tests.crawl import STATES, crawl_state, public_pages
from declaration.observed import HOST, find_never_seen, find_undeclared
from declaration.selectors import get_declaration
from declaration.views import privacy_policy
from wekst import urls as wekst_urls

pytestmark = pytest.mark.browser


class DeclaredButNotSeen(UserWarning):
    """A declared cookie, storage key or host that no page of the crawl used."""


def test_dec_07_every_public_page_in_every_consent_state_uses_only_what_is_declared(
    browser, demo_site
):
    started = time.monotonic()
    pages = public_pages()
    assert "/articles/growing-a-dental-clinic/" in pages and "/nb/" in pages, pages
    assert "/nb/clinics/tannlege-nord/contact/thanks/" in pages, pages
    crawls = [crawl_state(browser, demo_site.url, pages, state) for state in STATES]
    seen = [item for crawl in crawls for item in crawl.seen]
    elapsed = time.monotonic() - started

    declaration = get_declaration()
    never_seen = find_never_seen(declaration, seen)
    print(
        f"\nDEC-07 crawl: {len(pages)} pages x {len(crawls)} states = "
        f"{sum(c.pages for c in crawls)} page loads in {elapsed:.0f} s "
        f"({', '.join(f'{c.state}: {c.seconds:.0f} s' for c in crawls)})"
    )
    print(f"  pages: {' '.join(pages)}")
    for crawl in crawls:
        names = sorted({f"{item.kind} {item.name}" for item in crawl.seen})
        print(f"  {crawl.state}: {', '.join(names) or 'nothing'}")
    for line in never_seen:
        print(f"  declared, never seen: {line}")
    if never_seen:
        warnings.warn(
            DeclaredButNotSeen("Declared but never seen in the crawl: " + "; ".join(never_seen)),
            stacklevel=1,
        )
    problems = find_undeclared(declaration, seen, allowed=STATES)
    assert not problems, "Observed but not declared for the state:\n" + "\n".join(problems)
    # The crawl must have exercised what it checks: with everything accepted, the Google tag
    # and the embedded video were requested, and the choice was stored in its cookie.
    accepted = {(item.kind, item.name) for item in crawls[2].seen}
    assert {(HOST, "www.googletagmanager.com"), (HOST, "www.youtube-nocookie.com")} <= accepted
    assert ("cookie", "wekst_consent") in accepted
    assert MEASUREMENT_ID


def test_dec_07_the_crawl_fails_on_an_undeclared_cookie_and_host_naming_page_and_state(
    browser, live_server, settings
):
    """The checker can fail: a test-only page (the privacy policy plus what a careless snippet
    would add: a cookie nobody declared and an image from a host no recipient declares) is
    reported, naming the cookie, the host, the page and the state."""
    settings.ROOT_URLCONF = __name__
    csp = settings.SECURE_CSP
    settings.SECURE_CSP = {**csp, "img-src": [*csp["img-src"], "https://tracker.example"]}

    crawl = crawl_state(browser, live_server.url, ["/test-only/tracked/"], "reject all")
    problems = find_undeclared(get_declaration(), crawl.seen, allowed=STATES)

    assert (
        "cookie 'undeclared_tracker' on /test-only/tracked/ in state 'reject all': "
        "not in the declaration"
    ) in problems
    assert (
        "request to 'tracker.example' on /test-only/tracked/ in state 'reject all': "
        "no recipient declares this host"
    ) in problems


def tracked_page(request):
    response = privacy_policy(request)
    response.set_cookie("undeclared_tracker", "1")
    response.content = response.content.replace(
        b"</body>", b'<img src="https://tracker.example/p.gif" alt=""></body>'
    )
    return response


urlpatterns = [path("test-only/tracked/", tracked_page), *wekst_urls.urlpatterns]
