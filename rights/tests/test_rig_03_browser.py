"""RIG-01, RIG-03 in a browser: the portal's two steps work without JavaScript, and the access
report fits a 1280 px window (no table or value wider than the page)."""

import pytest

from rights.tests.factories import EMAIL, link_token_sent_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ask_and_verify(page, live_server) -> None:
    page.goto(f"{live_server.url}/privacy-requests/")
    page.get_by_label("See what you hold about me").check()
    page.get_by_role("button", name="Continue").click()
    # Step two: only this right's fields; the choice is carried, not asked again.
    assert page.get_by_label("Correct phone number").count() == 0
    page.get_by_label("Your email address").fill(EMAIL)
    page.get_by_role("button", name="Send my request").click()
    assert "/privacy-requests/sent/" in page.url
    page.goto(f"{live_server.url}/privacy-requests/verify/{link_token_sent_to(EMAIL)}/")
    page.locator("main form button[type=submit]").click()


def test_rig_01_the_portal_works_in_two_steps_without_javascript(browser, live_server, person):
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    try:
        _ask_and_verify(page, live_server)
        assert page.get_by_role("heading", name="Your privacy request").is_visible()
    finally:
        context.close()


def test_rig_03_the_report_fits_a_1280_px_window(page, live_server, person):
    page.set_viewport_size({"width": 1280, "height": 900})
    _ask_and_verify(page, live_server)
    page.get_by_role("link", name="See everything we hold about you").click()

    assert page.get_by_role("heading", name="Emails we sent you").is_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1280, width
    assert page.locator("table").count() == 0
