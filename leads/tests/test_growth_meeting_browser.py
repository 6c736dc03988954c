"""Booking a growth meeting in a real browser: nothing leaves for another site, before or after
the request is sent, in any consent state the visitor is in (issue 20, item 2; CON-01, LEA-09),
without Trafft's API (a request staff confirm) and with it (a local server playing Trafft, which
only our server may call)."""

import pytest
from playwright.sync_api import expect

from consent.tests.browser import elsewhere, settle, stand_in_for_third_parties
from consent.tests.test_browser import decide
from leads.models import Lead, Meeting

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


@pytest.mark.parametrize("choice", [None, "Accept all"])
def test_lea_09_booking_through_trafft_makes_no_third_party_request_before_or_after(
    page, live_server, trafft_api, choice
):
    stand_in_for_third_parties(page.context, live_server)
    page.goto(live_server.url + "/")
    if choice:
        decide(page, choice)
    else:
        page.keyboard.press("Escape")
    settle(page)
    since = len(page.requests)
    page.get_by_role("navigation", name="Site").get_by_role(
        "link", name="Book a growth meeting"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a growth meeting")
    expect(page.get_by_role("radio")).to_have_count(3)
    expect(page.get_by_text("transfer to Serbia, outside the EEA")).to_be_visible()
    settle(page)
    assert elsewhere(page, live_server, since) == []

    page.get_by_role("radio", name="13:30").check()
    page.get_by_label("Name").fill("Kari Nordmann")
    page.get_by_label("Email address").fill("kari@klinikk.example")
    page.get_by_label("Clinic").fill("Nordmann Tannklinikk")
    page.get_by_label("What would you like to talk about?").select_option("website")
    page.get_by_role("button", name="Book the meeting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your growth meeting is booked")
    expect(page.get_by_text("at 13:30 (Norwegian time)")).to_be_visible()
    settle(page)
    assert elsewhere(page, live_server, since) == []
    # Trafft was told, by our server only: the browser asked nothing of it.
    assert [b["time"] for b in trafft_api.bookings] == ["13:30"]
    assert Meeting.objects.get().booked_here
