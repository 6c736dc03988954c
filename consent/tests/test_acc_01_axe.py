"""ACC-01 in the browser: axe-core finds no violation on any public page, banner open or closed.

Every public page (consent/tests/crawl.py, public_pages: the list the DEC-07 crawl goes through,
both languages) is checked with axe-core's full rule set, in two states: before any choice (the
banner open on every page, placeholders for embedded media) and after "Accept all" (the banner
closed, the embeds loaded). axe-core's script comes with the axe-playwright-python package
and is injected into the page by the test; nothing is fetched. Requests to other origins never
leave the machine (they get an empty answer, as in the crawl). A violation fails the test, naming
the page, the state, the rule and each node.
Run: python -m pytest -q -p no:cacheprovider -s consent/tests/test_acc_01_axe.py
Lighthouse's four categories are measured by bench/lighthouse.py (docs/benchmarks.md).
"""

import re
import time
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import path

from consent.tests.crawl import load_embeds, make_choice, public_pages
from declaration.views import privacy_policy
from wekst import urls as wekst_urls

pytestmark = pytest.mark.browser

AXE = Axe()
STATES = ("no choice", "accept all")
# Every rule axe-core has, best practices included, not only the WCAG-tagged ones.
OPTIONS = {"resultTypes": ["violations"]}


def check_pages(browser, base_url: str, pages: list[str], state: str) -> list[str]:
    """axe's violations on every page in one consent state, one line per rule and node."""
    own = urlsplit(base_url).netloc
    context = browser.new_context(locale="en-GB")
    context.route(
        re.compile(rf"^(?!https?://{re.escape(own)}/)"),
        lambda route: route.fulfill(status=200, body=""),
    )
    page = context.new_page()
    problems: list[str] = []
    try:
        page.goto(base_url + pages[0])
        make_choice(page, state)
        for path in pages:
            page.goto(base_url + path, wait_until="load")
            banner = page.locator("#wekst-consent")
            if state == "no choice":
                assert banner.is_visible(), f"the banner is not open on {path}"
            else:
                assert banner.is_hidden(), f"the banner is open on {path} after {state!r}"
                if state == "accept all":
                    load_embeds(page)
            for violation in AXE.run(page, options=OPTIONS).response["violations"]:
                for node in violation["nodes"]:
                    problems.append(
                        f"{path} [{state}] {violation['id']} ({violation['impact']}): "
                        f"{' '.join(map(str, node['target']))}: {node['html'][:160]}"
                        f" - {node.get('failureSummary', '').splitlines()[-1:]}"
                    )
    finally:
        context.close()
    return problems


def test_acc_01_axe_finds_no_violation_on_any_public_page_with_the_banner_open_or_closed(
    browser, demo_site
):
    started = time.monotonic()
    pages = public_pages()
    assert "/nb/" in pages and "/articles/growing-a-dental-clinic/" in pages, pages
    problems = [
        line for state in STATES for line in check_pages(browser, demo_site.url, pages, state)
    ]
    print(
        f"\nACC-01 axe: {len(pages)} pages x {len(STATES)} states, {len(problems)} violations "
        f"in {time.monotonic() - started:.0f} s"
    )
    assert not problems, "axe-core found violations:\n" + "\n".join(problems)


def test_acc_01_the_axe_check_fails_naming_page_rule_and_node(browser, live_server, settings):
    """The checker can fail: an image without a text alternative and a button without a name,
    added to the privacy policy by a test-only page, are each reported with page and rule."""
    settings.ROOT_URLCONF = __name__
    problems = check_pages(browser, live_server.url, ["/test-only/inaccessible/"], "no choice")
    assert any(
        line.startswith("/test-only/inaccessible/ [no choice] image-alt (critical): img")
        for line in problems
    ), problems
    assert any(" button-name (critical): " in line for line in problems), problems


def inaccessible_page(request):
    response = privacy_policy(request)
    response.content = response.content.replace(
        b"</main>", b'<img src="/static/wekst/favicon.svg"><button></button></main>'
    )
    return response


urlpatterns = [path("test-only/inaccessible/", inaccessible_page), *wekst_urls.urlpatterns]
