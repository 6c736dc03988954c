"""LEA-07, LEA-08, LEA-09: the "Book a growth meeting" page with Trafft's API configured, against a
local server playing Trafft (leads/tests/conftest.py: trafft_api). The page without the API is
leads/tests/test_growth_meeting.py; what the browser sends, test_growth_meeting_browser.py."""

from urllib.parse import urlsplit

import pytest
from django.utils import formats, translation
from django.utils.html import escape

from declaration.policy import safeguard_description
from declaration.selectors import get_declaration
from leads.forms import SLOT_TAKEN
from leads.models import Lead, Meeting
from leads.tests.conftest import free_days, free_slot
from mail.models import OutgoingEmail
from processors import trafft_booking
from processors.base import BOOKED, CANCELLED
from processors.fake import Booking, FakeBookingProvider

pytestmark = pytest.mark.django_db

URL = "/growth-meeting/"


def booking_data(**changes) -> dict:
    data = {
        "slot": free_slot().key,
        "name": "Kari Nordmann",
        "email": "kari@klinikk.example",
        "phone": "+4791234567",
        "company": "Nordmann Tannklinikk",
        "topic": "patients",
        "message": "We open a second clinic in March.",
    }
    return {**data, **changes}


def test_lea_07_the_page_lists_the_free_times_by_day_in_both_languages(client, trafft_api):
    english = client.get(URL)
    norwegian = client.get("/nb/growth-meeting/")

    assert english.status_code == norwegian.status_code == 200
    assert english.text.count('name="slot"') == 3
    assert "When would suit you?" not in english.text  # the booking form, not the request
    first, second = free_days()
    with translation.override("en"):
        days = [formats.date_format(day, "l j F") for day in (first, second)]
    with translation.override("nb"):
        dager = [formats.date_format(day, "l j. F") for day in (first, second)]
    assert all(f"<legend>{day}</legend>" in english.text for day in days)
    assert all(f"<legend>{dag}</legend>" in norwegian.text for dag in dager)
    assert all(time in english.text for time in ("09:00", "13:30", "10:00"))
    assert "Europe/Oslo" in english.text and "Bestill møtet" in norwegian.text


def test_lea_07_booking_creates_the_customer_and_the_booking_and_stores_the_meeting(
    client, trafft_api, run_tasks, staff_inbox
):
    response = client.post(URL, booking_data())

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/growth-meeting/booked/"
    assert [b["customer"] for b in trafft_api.bookings] == [101]
    meeting = Meeting.objects.get()
    assert (meeting.provider, meeting.provider_booking_id, meeting.status) == (
        "trafft",
        "9000",
        Meeting.Status.BOOKED,
    )
    assert meeting.booked_here and meeting.starts_at == free_slot().starts_at
    lead = meeting.lead
    assert (lead.kind, lead.source, lead.purpose) == (Lead.Kind.BOOKING, "trafft", "meetings")
    assert (lead.name, lead.email, lead.phone) == (
        "Kari Nordmann",
        "kari@klinikk.example",
        "+4791234567",
    )
    assert lead.company == "Nordmann Tannklinikk"
    assert lead.message == "Topic: More new patients\n\nWe open a second clinic in March."
    run_tasks()  # staff are told of the meeting
    assert OutgoingEmail.objects.filter(subject=lead.subject).count() == len(staff_inbox)

    confirmation = client.get(response["Location"])
    assert "Your growth meeting is booked" in confirmation.text
    assert "at 09:00 (Norwegian time)" in confirmation.text


def test_lea_07_the_confirmation_link_shows_no_time_when_forged(client):
    response = client.get("/growth-meeting/booked/?m=forged")
    assert response.status_code == 200
    assert "Norwegian time" not in response.text


def test_lea_07_trafft_webhooks_for_a_booking_made_here_update_that_meeting(
    client, trafft_api, settings
):
    client.post(URL, booking_data())
    settings.TRAFFT_WEBHOOK_SECRET = "trafft-token"
    trafft = FakeBookingProvider("trafft", "trafft-token", client)
    booking = Booking(name="Kari Nordmann", starts_at=free_slot().starts_at)

    assert trafft.deliver(BOOKED, booking).status_code == 200
    meeting = Meeting.objects.get()
    assert meeting.provider_booking_id == trafft.booking_id(booking)
    assert trafft.deliver(CANCELLED, booking).status_code == 200
    assert Meeting.objects.get().status == Meeting.Status.CANCELLED
    assert Lead.objects.count() == 1


def test_lea_07_a_booking_whose_webhook_came_first_is_not_stored_twice(
    client, trafft_api, settings
):
    settings.TRAFFT_WEBHOOK_SECRET = "trafft-token"
    trafft = FakeBookingProvider("trafft", "trafft-token", client)
    booking = Booking(name="Kari Nordmann", starts_at=free_slot().starts_at)
    trafft.deliver(BOOKED, booking)

    assert client.post(URL, booking_data()).status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.provider_booking_id == trafft.booking_id(booking)
    assert meeting.booked_here
    assert Lead.objects.get().company == "Nordmann Tannklinikk"


def test_lea_08_a_time_taken_before_the_visitor_sent_asks_for_another(client, trafft_api):
    trafft_api.free_times.remove((free_days()[0].isoformat(), "09:00", 7))

    response = client.post(URL, booking_data())

    assert response.status_code == 409
    assert str(SLOT_TAKEN) in response.text
    assert 'value="Kari Nordmann"' in response.text and "second clinic" in response.text
    assert free_slot().key not in response.text and free_slot(at="13:30").key in response.text
    assert not Meeting.objects.exists() and not Lead.objects.exists()


def test_lea_08_a_time_taken_while_booking_asks_for_another(client, trafft_api, monkeypatch):
    answer = trafft_api.answer

    def taken_meanwhile(call):
        if call["method"] == "POST" and call["path"].endswith("/bookings"):
            trafft_api.free_times.remove((free_days()[0].isoformat(), "09:00", 7))
        return answer(call)

    monkeypatch.setattr(trafft_api, "answer", taken_meanwhile)
    response = client.post(URL, booking_data())

    assert response.status_code == 409
    assert str(SLOT_TAKEN) in response.text
    assert not Meeting.objects.exists() and not Lead.objects.exists()
    # The visitor picks another time, and it is booked.
    monkeypatch.setattr(trafft_api, "answer", answer)
    assert client.post(URL, booking_data(slot=free_slot(1, "10:00", "8").key)).status_code == 302
    assert Meeting.objects.get().starts_at == free_slot(1, "10:00", "8").starts_at


@pytest.mark.parametrize("status", [400, 500, 503])
def test_lea_08_trafft_failing_to_book_stores_a_request_staff_confirm(client, trafft_api, status):
    trafft_api.fail["POST /bookings"] = status

    response = client.post(URL, booking_data())

    assert response.status_code == 302
    assert response["Location"] == "/growth-meeting/thanks/?booking=unavailable"
    assert not Meeting.objects.exists()
    lead = Lead.objects.get()
    assert (lead.kind, lead.source, lead.company) == (
        Lead.Kind.MEETING_REQUEST,
        "growth_meeting_form",
        "Nordmann Tannklinikk",
    )
    assert lead.message.startswith("Preferred times: ") and "09:00" in lead.message
    assert "Topic: More new patients" in lead.message
    thanks = client.get(response["Location"])
    assert "Online booking did not go through just now" in thanks.text


def test_lea_08_trafft_failing_after_the_page_was_shown_keeps_the_booking_as_a_request(
    client, trafft_api
):
    client.get(URL)
    trafft_api.fail["GET /available-times"] = 503

    response = client.post(URL, booking_data())

    assert response["Location"] == "/growth-meeting/thanks/?booking=unavailable"
    assert Lead.objects.get().kind == Lead.Kind.MEETING_REQUEST


@pytest.mark.parametrize("failure", ["error", "timeout", "no times"])
def test_lea_08_without_free_times_from_trafft_the_page_is_the_request_form(
    client, trafft_api, monkeypatch, failure
):
    if failure == "error":
        trafft_api.fail["GET /available-times"] = 500
    elif failure == "timeout":
        monkeypatch.setattr(trafft_booking, "TIMEOUT", 0.2)
        trafft_api.delay = 0.6
    else:
        trafft_api.free_times = []

    page = client.get(URL)

    assert page.status_code == 200
    assert "When would suit you?" in page.text and 'name="slot"' not in page.text
    note = "no free times to book online" if failure == "no times" else "not available just now"
    assert note in page.text
    trafft_api.delay = 0
    trafft_api.fail.clear()
    request = {
        "name": "Kari Nordmann",
        "email": "kari@klinikk.example",
        "company": "Nordmann Tannklinikk",
        "preferred_times": "Tuesday morning",
        "topic": "website",
    }
    assert client.post(URL, request)["Location"] == "/growth-meeting/thanks/"
    assert Lead.objects.get().kind == Lead.Kind.MEETING_REQUEST


def test_lea_09_the_notice_says_what_trafft_receives_and_the_transfer_to_serbia(client, trafft_api):
    declaration = get_declaration()
    meetings, trafft = declaration.activities["meetings"], declaration.recipients["trafft"]
    for language, prefix, serbia in (("en", "", "Serbia"), ("nb", "/nb", "Serbia")):
        with translation.override(language):
            page = client.get(f"{prefix}{URL}").text
            safeguard = safeguard_description(trafft)
        assert str(trafft.legal_entity.in_language(language)) in page
        for category in ("identity", "contact", "booking"):
            assert meetings.data_collected[category].in_language(language) in page
        assert serbia in page and escape(safeguard) in page
    english = client.get(URL).text
    assert "Standard Contractual Clauses" in english
    # Nothing of Trafft's is loaded by the page itself (the browser test proves what is sent).
    assert "trafft.com" not in english


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("", "Please write this with letters or digits; what was entered contains only invisible"),
        ("/nb", "Skriv dette med bokstaver eller tall; det som ble skrevet inn, består bare av"),
    ],
)
def test_sec_03_booking_refuses_a_name_that_shows_nothing_and_books_nothing(
    client, trafft_api, prefix, message
):
    response = client.post(prefix + URL, booking_data(name="\u200b\u200c"))

    assert message in response.text
    assert "second clinic" in response.text  # kept, to correct and send again
    assert not Meeting.objects.exists() and not Lead.objects.exists()
    assert not [
        call for call in trafft_api.calls if call["path"].endswith(("/customers", "/bookings"))
    ]
