"""What a visitor's browser shows and sends, before and after each choice (CON-01..CON-07).

Every request the browser makes is recorded (`page.requests`); requests to other sites are
answered offline by stand-ins (consent/tests/browser.py), so a test sees what would have left.
"""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from consent.models import ConsentDecision
from consent.tests.browser import (
    COLLECT_HOST,
    GTAG_URL,
    MEASUREMENT_ID,
    cookie_names,
    data_layer,
    elsewhere,
    recorded_context,
    settle,
    stand_in_for_third_parties,
)
from declaration.selectors import get_declaration
from processors.testing import put_on_record

pytestmark = pytest.mark.browser

ANALYTICS_COOKIES = {"_ga", f"_ga_{MEASUREMENT_ID[2:]}", "_gcl_au"}
DENIED = {
    "analytics_storage": "denied",
    "ad_storage": "denied",
    "ad_user_data": "denied",
    "ad_personalization": "denied",
}


def configure_ga4(settings) -> None:
    """A measurement id as the environment would set it, with the CSP settings derive from it."""
    settings.GA4_MEASUREMENT_ID = MEASUREMENT_ID
    csp = settings.SECURE_CSP
    settings.SECURE_CSP = {
        **csp,
        "script-src": [*csp["script-src"], "https://www.googletagmanager.com"],
        "connect-src": [*csp["connect-src"], f"https://{COLLECT_HOST}"],
    }


@pytest.fixture
def site(page, live_server, settings):
    """The live site with a GA4 measurement id set, every third party stood in for."""
    configure_ga4(settings)
    put_on_record("google_analytics")  # GA4 runs only with its DPA on record (PRO-02)
    stand_in_for_third_parties(page.context, live_server)
    return live_server


def dialog(page):
    """The banner, by its accessible name in the language the page is in."""
    language = page.evaluate("() => document.documentElement.lang") or "en"
    with translation.override(language):
        return page.get_by_role("dialog", name=gettext("Cookies and your choice"))


def necessary_cookie_names() -> set[str]:
    return {c.name for c in get_declaration().cookies_in("necessary")}


def decide(page, button: str) -> None:
    """Click a button in the dialog and wait for the decision to be stored."""
    with page.expect_response(lambda r: r.url.endswith("/consent/") and r.status == 200):
        dialog(page).get_by_role("button", name=button).click()
    expect(dialog(page)).to_be_hidden()


@pytest.mark.parametrize("path", ["/", "/privacy/", "/cookies/", "/nb/"])
def test_con_01_before_a_choice_nothing_leaves_the_site_and_no_optional_cookie_is_set(
    page, site, path
):
    page.goto(site.url + path)

    expect(dialog(page)).to_be_visible()
    settle(page)
    assert page.requests, "the browser recorded no requests"
    assert elsewhere(page, site) == []
    assert cookie_names(page) <= necessary_cookie_names()
    assert "wekst_consent" not in cookie_names(page)
    assert page.evaluate("() => localStorage.length + sessionStorage.length") == 0
    assert page.evaluate("() => window.dataLayer === undefined")


def test_con_02_reject_all_loads_nothing_and_remembers_the_refusal(page, site):
    page.goto(site.url + "/")

    decide(page, "Reject all")

    settle(page)
    assert elsewhere(page, site) == []
    assert "wekst_consent" in cookie_names(page)
    assert not cookie_names(page) & ANALYTICS_COOKIES
    decision = ConsentDecision.objects.get()
    assert (decision.action, decision.analytics, decision.marketing, decision.embedded) == (
        "reject_all",
        False,
        False,
        False,
    )
    page.reload()
    settle(page)
    expect(dialog(page)).to_be_hidden()
    assert elsewhere(page, site) == []


def test_con_05_accept_all_loads_ga4_only_after_the_choice_with_consent_mode(page, site):
    page.goto(site.url + "/")
    settle(page)
    before = len(page.requests)
    assert elsewhere(page, site) == []

    decide(page, "Accept all")
    page.wait_for_function("() => window.__fakeGtagLoaded === true")
    settle(page)

    # "Accept all" also lets the home page's video in: its frame and the tag load in either
    # order, so the tag is the first of Google's requests, not of all of them.
    outside = elsewhere(page, site, since=before)
    google = [url for url in outside if "google" in url]
    assert google[0] == GTAG_URL
    assert any(url.startswith(f"https://{COLLECT_HOST}/g/collect") for url in google)
    layer = data_layer(page)
    default = layer.index(["consent", "default", DENIED])
    update = layer.index(
        [
            "consent",
            "update",
            {
                "analytics_storage": "granted",
                "ad_storage": "granted",
                "ad_user_data": "granted",
                "ad_personalization": "granted",
            },
        ]
    )
    # The cleaned address of CON-10: the home page, the banner's own page, no referrer.
    config = layer.index(
        [
            "config",
            MEASUREMENT_ID,
            {
                "cookie_expires": 395 * 24 * 60 * 60,
                "page_location": site.url + "/",
                "page_referrer": "",
            },
        ]
    )
    assert default < update < config
    assert {"_ga", f"_ga_{MEASUREMENT_ID[2:]}", "_gcl_au"} <= cookie_names(page)


def test_con_05_analytics_alone_keeps_every_ad_type_denied(page, site):
    page.goto(site.url + "/")

    dialog(page).get_by_text("Choose", exact=True).click()
    dialog(page).get_by_role("checkbox", name="Analytics").check()
    decide(page, "Save my choices")
    page.wait_for_function("() => window.__fakeGtagLoaded === true")
    settle(page)

    updates = [entry[2] for entry in data_layer(page) if entry[:2] == ["consent", "update"]]
    assert updates == [{**DENIED, "analytics_storage": "granted"}]
    assert ["set", "ads_data_redaction", True] in data_layer(page)
    assert "_ga" in cookie_names(page)
    assert "_gcl_au" not in cookie_names(page)
    decision = ConsentDecision.objects.get()
    assert (decision.analytics, decision.marketing, decision.embedded) == (True, False, False)


def test_con_05_without_a_measurement_id_analytics_never_loads(page, site, settings):
    settings.GA4_MEASUREMENT_ID = ""
    page.goto(site.url + "/")

    decide(page, "Accept all")
    settle(page)

    assert [url for url in elsewhere(page, site) if "google" in url] == []


def test_con_06_the_video_loads_from_youtube_only_after_a_click(page, site):
    page.goto(site.url + "/")
    settle(page)
    placeholder = page.locator("[data-consent-embed]")
    expect(placeholder).to_contain_text("YouTube")
    expect(placeholder.get_by_role("link", name="YouTube's privacy notice")).to_be_visible()
    assert placeholder.locator("iframe").count() == 0
    assert elsewhere(page, site) == []

    placeholder.get_by_role("button", name="Load video").click()

    expect(placeholder.locator("iframe")).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"
    )
    settle(page)
    assert elsewhere(page, site) == ["https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"]
    # The click was for this one time: the next page shows the placeholder again.
    page.reload()
    settle(page)
    assert page.locator("[data-consent-embed] iframe").count() == 0
    assert ConsentDecision.objects.count() == 0


def test_con_06_consent_to_embedded_media_loads_the_video_without_a_click(page, site):
    page.goto(site.url + "/")
    settle(page)
    start = len(page.requests)

    dialog(page).get_by_text("Choose", exact=True).click()
    dialog(page).get_by_role("checkbox", name="Embedded media").check()
    decide(page, "Save my choices")

    expect(page.locator("[data-consent-embed] iframe")).to_have_count(1)
    settle(page)
    assert elsewhere(page, site, since=start) == [
        "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"
    ]


def test_con_04_withdrawal_from_cookie_settings_deletes_ga_cookies_and_stops_ga(page, site):
    page.goto(site.url + "/")
    decide(page, "Accept all")
    page.wait_for_function("() => window.__fakeGtagLoaded === true")
    settle(page)
    assert cookie_names(page) >= ANALYTICS_COOKIES
    # The stand-in sends an event while analytics is on: the check below can see one.
    sent = len(page.requests)
    page.evaluate("() => window.dataLayer.push(['event', 'while_on'])")
    settle(page)
    assert any(COLLECT_HOST in url for url in page.requests[sent:])

    settings_link = page.locator("footer").get_by_role("link", name="Cookie settings")
    # Scrolled first: with the cross-site video frame on the page, Playwright's scroll-and-click
    # in one step can land before the page has settled.
    settings_link.scroll_into_view_if_needed()
    settings_link.click()
    expect(dialog(page)).to_be_visible()
    expect(dialog(page).get_by_role("checkbox", name="Analytics")).to_be_checked()
    decide(page, "Reject all")

    assert not cookie_names(page) & ANALYTICS_COOKIES
    withdrawn = len(page.requests)
    page.evaluate(
        "() => { window.dataLayer.push(['event', 'after_withdrawal']); gtag('event', 'x'); }"
    )
    settle(page)
    assert [url for url in page.requests[withdrawn:] if COLLECT_HOST in url] == []
    assert ["consent", "update", DENIED] in data_layer(page)
    first, latest = ConsentDecision.objects.order_by("decided_at", "id")
    assert latest.consent_id == first.consent_id
    assert (latest.method, latest.analytics, latest.marketing) == ("settings", False, False)


def test_con_04_leftover_ga_and_ads_cookies_are_deleted_on_a_refusal(page, site):
    page.goto(site.url + "/")
    page.context.add_cookies(
        [
            {"name": "_ga_OLD", "value": "x", "url": site.url + "/"},
            {"name": "_gcl_au", "value": "y", "url": site.url + "/"},
        ]
    )

    decide(page, "Reject all")

    assert not {"_ga_OLD", "_gcl_au"} & cookie_names(page)


def test_con_02_focus_starts_in_the_dialog_and_the_keyboard_reaches_accept_and_reject(page, site):
    page.goto(site.url + "/")
    expect(dialog(page)).to_be_visible()

    assert page.evaluate(
        "() => document.getElementById('wekst-consent').contains(document.activeElement)"
    )
    reached = []
    for _ in range(3):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "() => document.getElementById('wekst-consent').contains(document.activeElement)"
                " ? document.activeElement.textContent.trim() : null"
            )
        )
    assert reached == ["Accept all", "Reject all", "Choose"]

    page.keyboard.press("Shift+Tab")
    with page.expect_response(lambda r: r.url.endswith("/consent/")):
        page.keyboard.press("Enter")
    expect(dialog(page)).to_be_hidden()
    assert ConsentDecision.objects.get().action == "reject_all"


def test_con_02_escape_closes_the_dialog_and_stores_nothing(page, site):
    page.goto(site.url + "/")

    page.keyboard.press("Escape")

    expect(dialog(page)).to_be_hidden()
    settle(page)
    assert not [url for url in page.requests if url.endswith("/consent/")]
    assert "wekst_consent" not in cookie_names(page)
    assert ConsentDecision.objects.count() == 0
    assert elsewhere(page, site) == []


def test_con_02_accept_and_reject_have_equal_size_weight_and_enough_contrast(page, site):
    page.goto(site.url + "/")
    accept = dialog(page).get_by_role("button", name="Accept all")
    reject = dialog(page).get_by_role("button", name="Reject all")

    a, r = accept.bounding_box(), reject.bounding_box()
    assert abs(a["width"] - r["width"]) < 0.5 and abs(a["height"] - r["height"]) < 0.5
    assert abs(a["y"] - r["y"]) < 0.5  # side by side on the first layer
    style = (
        "e => { const s = getComputedStyle(e); return [e.tagName, s.fontWeight, s.fontSize,"
        " s.fontFamily, s.color, s.backgroundColor, s.borderStyle, s.padding]; }"
    )
    assert accept.evaluate(style) == reject.evaluate(style)
    colors = accept.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    )
    assert contrast(*colors) >= 4.5


def test_con_02_the_banner_overlays_and_moves_no_content(page, site):
    page.goto(site.url + "/")
    heading = page.get_by_role("heading", level=1)
    before = heading.bounding_box()
    assert dialog(page).evaluate("e => getComputedStyle(e).position") == "fixed"

    decide(page, "Reject all")

    assert heading.bounding_box() == before


def test_con_07_a_gpc_header_shows_the_notice_and_refuses_analytics(browser, live_server, settings):
    configure_ga4(settings)
    put_on_record("google_analytics")  # GA4 runs only with its DPA on record (PRO-02)
    context, page = recorded_context(browser, live_server, extra_http_headers={"Sec-GPC": "1"})
    try:
        page.goto(live_server.url + "/")
        expect(dialog(page)).to_contain_text("Global Privacy Control")
        dialog(page).get_by_text("Choose", exact=True).click()
        expect(dialog(page).get_by_role("checkbox", name="Analytics")).to_be_disabled()
        expect(dialog(page).get_by_role("checkbox", name="Marketing")).to_be_disabled()

        decide(page, "Accept all")
        settle(page)

        # Embedded media was accepted and loads; analytics and marketing were refused.
        assert elsewhere(page, live_server) == [
            "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"
        ]
        assert page.evaluate("() => window.dataLayer === undefined")
        decision = ConsentDecision.objects.get()
        assert (decision.gpc, decision.analytics, decision.marketing, decision.embedded) == (
            True,
            False,
            False,
            True,
        )
    finally:
        context.close()


def test_con_07_navigator_global_privacy_control_counts_as_refusal(browser, live_server, settings):
    configure_ga4(settings)
    put_on_record("google_analytics")  # GA4 runs only with its DPA on record (PRO-02)
    context, page = recorded_context(browser, live_server)
    context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
    )
    try:
        page.goto(live_server.url + "/")
        notice = dialog(page).get_by_text("Global Privacy Control")
        expect(notice).to_be_visible()
        dialog(page).get_by_text("Choose", exact=True).click()
        expect(dialog(page).get_by_role("checkbox", name="Analytics")).to_be_disabled()
        expect(dialog(page).get_by_role("checkbox", name="Analytics")).not_to_be_checked()

        decide(page, "Accept all")
        settle(page)

        assert [url for url in elsewhere(page, live_server) if "google" in url] == []
        decision = ConsentDecision.objects.get()
        assert (decision.gpc, decision.analytics, decision.marketing) == (True, False, False)
    finally:
        context.close()


def test_con_02_without_javascript_the_form_still_records_the_choice(browser, live_server):
    context, page = recorded_context(browser, live_server, java_script_enabled=False)
    try:
        page.goto(live_server.url + "/cookies/")
        expect(dialog(page)).to_be_visible()

        dialog(page).get_by_role("button", name="Reject all").click()

        page.wait_for_url(live_server.url + "/cookies/")
        expect(dialog(page)).to_be_hidden()
        assert "wekst_consent" in cookie_names(page)
        assert ConsentDecision.objects.get().action == "reject_all"
        # "Cookie settings" reopens the dialog without JavaScript too.
        page.locator("footer").get_by_role("link", name="Cookie settings").click()
        expect(dialog(page)).to_be_visible()
        assert elsewhere(page, live_server) == []
    finally:
        context.close()


def test_con_03_a_choice_on_a_norwegian_page_is_logged_in_norwegian(page, site):
    page.goto(site.url + "/nb/")

    dialog(page).locator("button[value=reject_all]").click()

    expect(dialog(page)).to_be_hidden()
    assert ConsentDecision.objects.get().language == "nb"


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two CSS rgb()/rgba() colours."""

    def luminance(color: str) -> float:
        channels = [float(v) for v in color[color.index("(") + 1 : -1].split(",")[:3]]
        linear = [
            c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
            for c in channels
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_con_04_a_link_to_the_cookie_settings_opens_them_and_esc_closes_them(page, site):
    page.goto(site.url + "/")
    decide(page, "Reject all")

    page.goto(site.url + "/cookies/#wekst-consent")

    expect(dialog(page)).to_be_visible()
    expect(dialog(page).get_by_role("checkbox", name="Analytics")).not_to_be_checked()
    page.keyboard.press("Escape")
    expect(dialog(page)).to_be_hidden()
    assert ConsentDecision.objects.count() == 1
