"""CON-10 and CL-06 in a real browser, in every consent state of the DEC-07 crawl (one list).

1. A health-related page (a clinic's enquiry form and its thanks page, an article staff marked,
   in both languages) makes no request to another host and gets no third-party cookie, even
   after "Accept all" given on that page or elsewhere; the home page with its video, marked
   health-related, shows the video as a plain link.
2. On other pages, when analytics is allowed, every GA4 collect request carries the address
   without its query string and with the article's slug replaced (`dl`), and the referring
   address likewise (`dr`); the stand-in for gtag.js sends what gtag.js sends by default
   (location.href, document.referrer) unless the page configured others.
3. The checks can fail: markup planted on a health page under a careless policy is caught, and
   a consent.js that passes the raw address to GA4 is caught.
Run: python -m pytest -q -p no:cacheprovider -m browser consent/tests/test_con_10_health_pages_browser.py
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import path

from clinics.tests.factories import make_clinic
from consent.tests.browser import COLLECT_HOST, recorded_context
from consent.tests.crawl import STATES, crawl_state, make_choice
from consent.tests.test_browser import configure_ga4
from content.models import Page
from content.tests.factories import make_article
from declaration.observed import HOST
from declaration.selectors import get_declaration
from declaration.views import privacy_policy
from processors.testing import put_on_record
from wekst import urls as wekst_urls

pytestmark = pytest.mark.browser

CLINIC = "/clinics/tannlege-nord/contact/"
HEALTH_ARTICLE = "/articles/tooth-whitening/"
HEALTH_PAGES = (CLINIC, f"{CLINIC}thanks/", HEALTH_ARTICLE, f"/nb{CLINIC}", f"/nb{HEALTH_ARTICLE}")
# A normal article whose slug, and a query string whose words, must never reach GA4.
SLUG = "implants-after-bone-loss"
SECRETS = (SLUG, "toothache", "utm_source", "comment=")
SEARCH_REFERRER = "https://search.example/results?q=toothache"


@pytest.fixture
def health_site(live_server, settings, tmp_path):
    """The live site with GA4 on record, a clinic, an article staff marked health-related and an
    ordinary one about a treatment (revealing by its slug only)."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    configure_ga4(settings)
    put_on_record("google_analytics")
    make_clinic()
    make_article(slug="tooth-whitening", title="Tooth whitening", health_related=True)
    make_article(slug=SLUG, title="Implants after bone loss")
    return live_server


def third_party_on(seen, pages) -> list[str]:
    """Every request to another host, and every third-party cookie, seen on one of `pages`."""
    return [
        f"{item.kind} {item.name!r} on {item.page} in state {item.state!r}"
        for item in seen
        if item.page in pages and (item.kind == HOST or item.party == "third")
    ]


def test_cl_06_con_10_health_pages_make_no_third_party_request_in_any_consent_state(
    browser, health_site
):
    # The choice is made on the clinic's form itself, then the home page (where GA4 and the
    # video do load), then the health pages again, coming from it.
    pages = [CLINIC, "/", *HEALTH_PAGES[1:], CLINIC]
    crawls = [crawl_state(browser, health_site.url, pages, state) for state in STATES]
    leaks = [line for crawl in crawls for line in third_party_on(crawl.seen, HEALTH_PAGES)]

    assert not leaks, "A health-related page contacted another host:\n" + "\n".join(leaks)
    # The states were real: with everything accepted the home page loaded the tag and the video.
    accepted = {item.name for item in crawls[list(STATES).index("accept all")].seen}
    assert {"www.googletagmanager.com", "www.youtube-nocookie.com"} <= accepted

    # The home page marked health-related by staff: its video is a plain link, nothing loads.
    # (A live-server test starts from an empty database: the migration's home page may be gone.)
    Page.objects.update_or_create(
        slug="home",
        defaults={
            **{
                f"{field}_{lang}": "Home"
                for field in ("title", "description", "body")
                for lang in ("en", "nb")
            },
            "health_related": True,
        },
    )
    marked = [crawl_state(browser, health_site.url, ["/", "/nb/"], state) for state in STATES]
    leaks = [line for crawl in marked for line in third_party_on(crawl.seen, ("/", "/nb/"))]
    assert not leaks, "A page staff marked health-related contacted another host:\n" + "\n".join(
        leaks
    )


def collects(page) -> list[dict[str, str]]:
    """The GA4 collect requests the page sent, as their parameters."""
    return [
        {
            key: values[0]
            for key, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()
        }
        for url in page.requests
        if urlsplit(url).hostname == COLLECT_HOST
    ]


def address_leaks(sent: list[dict[str, str]]) -> list[str]:
    """Each page_location (dl) or page_referrer (dr) that carries a query string, a fragment or
    a word the declaration marks as revealing."""
    problems = []
    for hit in sent:
        for key in ("dl", "dr"):
            value = hit.get(key, "")
            if re.search(r"[?#]", value) or any(secret in value for secret in SECRETS):
                problems.append(f"{key}={value}")
    return problems


def visit_normal_pages(browser, site, state: str, *, script=None) -> list[dict[str, str]]:
    """In one consent state: a search engine's link to an article with a query string, a click
    from it to the home page, the Norwegian article; the GA4 hits the pages sent."""
    gpc = state.startswith("GPC")
    context, page = recorded_context(
        browser, site, extra_http_headers={"Sec-GPC": "1"} if gpc else None
    )
    if gpc:
        context.add_init_script(
            "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
        )
    if script is not None:
        context.route(re.compile(r".*/consent\.js$"), script)
    try:
        page.goto(site.url + "/")
        make_choice(page, state)
        page.goto(f"{site.url}/articles/{SLUG}/?utm_source=ad&q=toothache", referer=SEARCH_REFERRER)
        page.locator("a.brand").click()
        page.wait_for_url(site.url + "/")
        page.goto(f"{site.url}/nb/articles/{SLUG}/?comment=pending#comments")
        page.evaluate("() => fetch('/.well-known/gpc.json').then(r => r.status)")
        return collects(page)
    finally:
        context.close()


def test_con_10_ga4_gets_no_query_string_and_no_revealing_path_in_any_consent_state(
    browser, health_site
):
    placeholder = get_declaration().sensitive_pages.placeholder
    for state, allowed in STATES.items():
        sent = visit_normal_pages(browser, health_site, state)
        if "analytics" not in allowed:
            assert not sent, f"GA4 was sent a page view in state {state!r}"
            continue
        assert not address_leaks(sent), f"{state}: {address_leaks(sent)}"
        locations = {hit["dl"] for hit in sent}
        referrers = {hit["dr"] for hit in sent}
        # The article's address reached GA4 with its slug replaced, in both languages; the
        # click from it left its cleaned address as the referrer; the search engine's, its origin.
        assert f"{health_site.url}/articles/{placeholder}/" in locations, (state, locations)
        assert f"{health_site.url}/nb/articles/{placeholder}/" in locations, (state, locations)
        assert f"{health_site.url}/articles/{placeholder}/" in referrers, (state, referrers)
        assert "https://search.example/" in referrers, (state, referrers)


def test_con_10_the_address_check_fails_when_consent_js_gives_ga4_the_raw_address(
    browser, health_site
):
    """A careless edit of consent.js (page_location and page_referrer left to gtag.js) is caught,
    naming the address with its query string and slug."""

    def careless(route):
        script = route.fetch().text()
        script = script.replace("page_location: address(location.href)", "x: 0")
        script = script.replace("page_referrer: d.referrer && address(d.referrer)", "y: 0")
        route.fulfill(status=200, content_type="text/javascript", body=script)

    sent = visit_normal_pages(browser, health_site, "accept all", script=careless)

    leaks = address_leaks(sent)
    assert f"dl={health_site.url}/articles/{SLUG}/?utm_source=ad&q=toothache" in leaks, leaks
    assert f"dr={SEARCH_REFERRER}" in leaks, leaks


def test_cl_06_con_10_the_guard_check_catches_a_planted_tag_and_the_policy_stops_it(
    browser, live_server, settings
):
    """Markup planted on a health page (an image from a tracker, a video frame): under a policy
    a careless view set itself it loads, and the check names it; under the guard's own policy
    the browser blocks the same markup before anything leaves it."""
    settings.ROOT_URLCONF = __name__
    unguarded = "/clinics/test-only/unguarded/"

    crawl = crawl_state(browser, live_server.url, [unguarded], "accept all")
    leaks = third_party_on(crawl.seen, [unguarded])

    assert f"host 'tracker.example' on {unguarded} in state 'accept all'" in leaks, leaks
    assert f"host 'www.youtube-nocookie.com' on {unguarded} in state 'accept all'" in leaks

    # The guard's policy: the browser refuses both (a request blocked by the policy is never
    # sent, so it never reaches the stand-in that answers every other host).
    context = browser.new_context(locale="en-GB")
    sent, blocked = [], []
    context.route(
        re.compile(rf"^(?!{re.escape(live_server.url)}/)"),
        lambda route: (sent.append(route.request.url), route.fulfill(status=200, body="")),
    )
    page = context.new_page()
    page.on("requestfailed", lambda request: blocked.append((request.url, request.failure)))
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    try:
        page.goto(live_server.url + "/clinics/test-only/planted/", wait_until="load")
        page.evaluate("() => fetch('/.well-known/gpc.json').then(r => r.status)")
    finally:
        context.close()

    assert sent == []
    assert ("https://tracker.example/p.gif", "csp") in blocked, blocked
    assert any("youtube-nocookie" in text and "frame-src 'none'" in text for text in messages)


def planted_page(request):
    response = privacy_policy(request)
    response.content = response.content.replace(
        b"</body>",
        b'<img src="https://tracker.example/p.gif" alt="">'
        b'<iframe src="https://www.youtube-nocookie.com/embed/x" title="x"></iframe></body>',
    )
    return response


def unguarded_page(request):
    response = planted_page(request)
    # A view's own header is left alone by the CSP middleware: the guard's policy is not sent.
    response["Content-Security-Policy"] = "default-src 'self' https: data:"
    return response


urlpatterns = [
    path("clinics/test-only/planted/", planted_page),
    path("clinics/test-only/unguarded/", unguarded_page),
    *wekst_urls.urlpatterns,
]
