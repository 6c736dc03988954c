"""Booking a growth meeting in a real browser: nothing leaves for another site, before or after
the request is sent, in any consent state the visitor is in (issue 20, item 2; CON-01)."""

import pytest
from playwright.sync_api import expect

from consent.tests.browser import elsewhere, settle, stand_in_for_third_parties
from consent.tests.test_browser import decide
from leads.models import Lead

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("choice", [None, "Reject all", "Accept all"])
def test_booking_a_growth_meeting_makes_no_third_party_request_before_or_after(
    page, live_server, choice
):
    stand_in_for_third_parties(page.context, live_server)
    page.goto(live_server.url + "/")
    if choice:
        decide(page, choice)
    else:
        page.keyboard.press("Escape")  # the banner closed without a choice
    settle(page)
    # From here on: the home page may load the video the visitor consented to; this page may not.
    since = len(page.requests)
    page.get_by_role("navigation", name="Site").get_by_role(
        "link", name="Book a growth meeting"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a growth meeting")
    settle(page)
    assert elsewhere(page, live_server, since) == []

    page.get_by_label("Name").fill("Kari Nordmann")
    page.get_by_label("Email address").fill("kari@klinikk.example")
    page.get_by_label("Clinic").fill("Nordmann Tannklinikk")
    page.get_by_label("When would suit you?").fill("Tuesday morning")
    page.get_by_label("What would you like to talk about?").select_option("website")
    page.get_by_role("button", name="Ask for a meeting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: we have your request")
    settle(page)
    assert elsewhere(page, live_server, since) == []
    lead = Lead.objects.get()
    assert lead.kind == Lead.Kind.MEETING_REQUEST
    assert "Tuesday morning" in lead.message
