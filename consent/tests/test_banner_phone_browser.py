"""The banner on a phone (390×844): its first layer takes at most 35 % of the screen with Accept
and Reject in view and equal, and after a choice focus goes somewhere sensible (issue 20, item 5)."""

import pytest
from playwright.sync_api import expect

from consent.tests.test_browser import decide, dialog

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MAX_SHARE = 0.35

SHARE = """e => {
  const r = e.getBoundingClientRect();
  const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
  const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
  return (w * h) / (innerWidth * innerHeight);
}"""
# Whether the element's middle is on screen and not hidden by anything (the text scrolls under).
IN_VIEW = """e => {
  const r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
  return y > 0 && y < innerHeight && e.contains(document.elementFromPoint(x, y));
}"""
FOCUSED = "() => [document.activeElement.tagName, document.activeElement.id]"


@pytest.fixture
def phone(page, live_server):
    page.set_viewport_size(PHONE)
    return page


@pytest.mark.parametrize("path", ["/", "/nb/", "/growth-meeting/", "/nb/privacy/"])
def test_con_02_on_a_phone_the_first_layer_takes_at_most_35_percent_with_both_buttons_in_view(
    phone, live_server, path
):
    phone.goto(live_server.url + path)
    banner = dialog(phone)
    expect(banner).to_be_visible()

    share = banner.evaluate(SHARE)

    assert share <= MAX_SHARE, f"{path}: the banner covers {share:.0%} of the screen"
    buttons = banner.locator("button.wc-btn:visible")
    accept, reject = buttons.nth(0), buttons.nth(1)
    assert accept.evaluate(IN_VIEW) and reject.evaluate(IN_VIEW)
    a, r = accept.bounding_box(), reject.bounding_box()
    assert abs(a["width"] - r["width"]) < 0.5 and abs(a["height"] - r["height"]) < 0.5
    style = "e => { const s = getComputedStyle(e); return [e.tagName, s.fontWeight, s.fontSize]; }"
    assert accept.evaluate(style) == reject.evaluate(style)


def test_con_02_after_a_first_choice_focus_goes_to_the_main_content_not_the_body(
    phone, live_server
):
    phone.goto(live_server.url + "/")
    scroll = phone.evaluate("() => scrollY")

    decide(phone, "Reject all")

    assert phone.evaluate(FOCUSED) == ["MAIN", "main"]
    assert phone.evaluate("() => scrollY") == scroll  # the page does not jump


def test_con_04_after_a_choice_in_cookie_settings_focus_returns_to_the_link_that_opened_them(
    page, live_server
):
    page.goto(live_server.url + "/")
    decide(page, "Reject all")
    settings_link = page.locator("footer [data-consent-open]")

    settings_link.click()
    expect(dialog(page)).to_be_visible()
    decide(page, "Accept all")

    assert page.evaluate("() => document.activeElement.hasAttribute('data-consent-open')")
