"""LEA-07, LEA-08: booking a growth meeting at Trafft from our server, against a local server
speaking Trafft's API v2 as ../shared/providers.md gives it (processors.fake.FakeTrafftApi; the
samples and the guesses marked in processors/tests/trafft_booking_samples.py)."""

import datetime
import json
import zoneinfo
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from leads.booking import BookingUnavailable, Slot, SlotTaken
from processors import trafft, trafft_booking
from processors.fake import FakeTrafftApi
from processors.integration import integrations, outgoing_fields
from processors.testing import put_on_record
from processors.tests import trafft_booking_samples as samples
from processors.trafft_booking import TRAFFT_BOOKING, parse_available_times

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
# The day before the samples' first free time, so they lie ahead.
BEFORE_SAMPLES = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=OSLO)
NINE = Slot(starts_at=datetime.datetime(2026, 12, 8, 9, 0, tzinfo=OSLO), employee="7")


@pytest.fixture
def api(db, settings, tmp_path):
    """Trafft's API v2 on this machine, with its credentials, our service, and its agreement on
    record; its free times are the samples'."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    put_on_record("trafft")
    fake = FakeTrafftApi()
    settings.TRAFFT_API_URL = fake.url
    settings.TRAFFT_CLIENT_ID = fake.client_id
    settings.TRAFFT_CLIENT_SECRET = fake.client_secret
    settings.TRAFFT_SERVICE_ID = "3"
    settings.TRAFFT_EMPLOYEE_ID = ""
    fake.free_times = [
        (t["date"], t["time"], t["employee"]) for t in samples.AVAILABLE_TIMES_ANSWER["data"]
    ]
    trafft._token = None
    with time_machine.travel(BEFORE_SAMPLES, tick=True):
        yield fake
    trafft._token = None
    fake.stop()


def _calls(api: FakeTrafftApi) -> list[str]:
    return [f"{c['method']} {c['path'].removeprefix('/api/v2')}" for c in api.calls]


def _within_allow_list(call: dict) -> dict:
    fields = outgoing_fields(call["path"], call["body"], call["headers"].get("content-type", ""))
    record = integrations()["trafft"]
    assert record.fields_not_allowed(fields) == []
    return {name: record.sends[name] for name in fields}


def test_lea_07_free_times_are_asked_for_our_service_and_read_in_norwegian_time(api):
    slots = TRAFFT_BOOKING.free_slots()

    token, times = api.calls
    assert urlsplit(times["path"]).path == "/api/v2/available-times"
    assert parse_qs(urlsplit(times["path"]).query) == samples.AVAILABLE_TIMES_QUERY
    assert times["headers"]["authorization"] == "Bearer token-1"
    assert _within_allow_list(times) == {"service": None}
    assert [s.starts_at.astimezone(OSLO).strftime("%Y-%m-%d %H:%M") for s in slots] == [
        "2026-12-08 09:00",
        "2026-12-08 13:30",
        "2026-12-09 10:00",
    ]
    assert [s.employee for s in slots] == ["7", "7", "8"]


def test_lea_07_free_times_are_asked_for_the_set_employee_and_none_too_soon(api, settings):
    settings.TRAFFT_EMPLOYEE_ID = "7"
    with time_machine.travel(datetime.datetime(2026, 12, 8, 8, 0, tzinfo=OSLO), tick=False):
        slots = TRAFFT_BOOKING.free_slots()

    assert parse_qs(urlsplit(api.calls[-1]["path"]).query) == {"service": ["3"], "employee": ["7"]}
    # 09:00 is within the two hours' notice of 08:00.
    assert [s.starts_at.astimezone(OSLO).hour for s in slots] == [13, 10]


def test_lea_07_both_guessed_shapes_of_the_free_times_are_read():
    by_list = parse_available_times(samples.AVAILABLE_TIMES_ANSWER)
    by_date = parse_available_times(samples.AVAILABLE_TIMES_BY_DATE)

    assert NINE in by_list and NINE in by_date
    assert Slot(starts_at=datetime.datetime(2026, 12, 9, 10, 0, tzinfo=OSLO)) in by_date
    assert parse_available_times({"data": [{"date": "soon"}, "x"]}) == []
    assert parse_available_times(None) == []


def test_lea_07_a_booking_creates_the_customer_then_the_booking_with_the_documented_fields(api):
    booked = TRAFFT_BOOKING.book(
        slot=NINE, name="Kari Nordmann", email="kari@klinikk.example", phone="+4791234567"
    )

    assert _calls(api) == [
        "POST /token",
        "GET /customers?page=1&limit=100",
        "POST /customers",
        "POST /bookings",
    ]
    *_, customer, booking = api.calls
    assert json.loads(customer["body"]) == samples.CREATE_CUSTOMER_REQUEST
    assert json.loads(booking["body"]) == samples.CREATE_BOOKING_REQUEST
    assert _within_allow_list(customer) == {
        "first_name": "identity",
        "last_name": "identity",
        "email": "contact",
        "phone": "contact",
    }
    assert _within_allow_list(booking) == {
        "service": None,
        "employee": None,
        "customer": "booking",
        "date": "booking",
        "time": "booking",
    }
    assert booked.booking_id == str(samples.CREATE_BOOKING_ANSWER["id"])
    assert booked.starts_at == NINE.starts_at
    assert api.bookings == [samples.CREATE_BOOKING_ANSWER]


def test_lea_07_an_existing_customer_is_booked_without_a_second_one_or_a_phone_not_given(api):
    kari = api.add_customer("Kari@Klinikk.example")

    TRAFFT_BOOKING.book(slot=NINE, name="Kari Nordmann", email="kari@klinikk.example", phone="")

    assert "POST /customers" not in _calls(api)
    assert json.loads(api.calls[-1]["body"])["customer"] == kari
    assert len(api.customers) == 1


def test_lea_08_a_time_taken_meanwhile_is_slot_taken(api):
    api.free_times.remove(("2026-12-08", "09:00", 7))

    with pytest.raises(SlotTaken):
        TRAFFT_BOOKING.book(slot=NINE, name="Kari Nordmann", email="kari@klinikk.example", phone="")

    assert _calls(api)[-2:] == ["POST /bookings", "GET /available-times?service=3"]
    assert api.bookings == []


def test_lea_08_a_refusal_of_a_time_still_free_is_for_staff_not_slot_taken(api):
    api.fail["POST /bookings"] = 400

    with pytest.raises(BookingUnavailable):
        TRAFFT_BOOKING.book(slot=NINE, name="Kari Nordmann", email="kari@klinikk.example", phone="")


@pytest.mark.parametrize(
    "failing", ["GET /available-times", "POST /token", "GET /customers", "POST /customers"]
)
@pytest.mark.parametrize("status", [503, 403])
def test_lea_08_an_error_at_trafft_is_booking_unavailable(api, failing, status):
    api.fail[failing] = status

    with pytest.raises(BookingUnavailable):
        TRAFFT_BOOKING.free_slots()
        TRAFFT_BOOKING.book(slot=NINE, name="Kari Nordmann", email="kari@klinikk.example", phone="")
    assert api.bookings == []


def test_lea_08_a_server_error_on_booking_is_unavailable_and_books_nothing(api):
    api.fail["POST /bookings"] = 502

    with pytest.raises(BookingUnavailable):
        TRAFFT_BOOKING.book(slot=NINE, name="Kari Nordmann", email="kari@klinikk.example", phone="")
    assert api.bookings == []


def test_lea_08_a_slow_trafft_times_out_as_unavailable(api, monkeypatch):
    monkeypatch.setattr(trafft_booking, "TIMEOUT", 0.2)
    api.delay = 0.6

    with pytest.raises(BookingUnavailable, match="timed out"):
        TRAFFT_BOOKING.free_slots()


def test_lea_08_an_unreachable_trafft_is_unavailable(api, settings):
    api.stop()
    with pytest.raises(BookingUnavailable):
        TRAFFT_BOOKING.free_slots()


def test_lea_08_an_answer_that_is_not_json_is_unavailable(api, monkeypatch):
    monkeypatch.setattr(api, "answer", lambda call: (200, None))
    with pytest.raises(BookingUnavailable):
        TRAFFT_BOOKING.free_slots()


def test_lea_08_without_its_agreement_on_record_nothing_is_sent(db, settings):
    fake = FakeTrafftApi()
    settings.TRAFFT_API_URL, settings.TRAFFT_SERVICE_ID = fake.url, "3"
    settings.TRAFFT_CLIENT_ID, settings.TRAFFT_CLIENT_SECRET = fake.client_id, fake.client_secret
    trafft._token = None
    try:
        with pytest.raises(BookingUnavailable, match="register entry"):
            TRAFFT_BOOKING.free_slots()
        assert fake.calls == []
    finally:
        fake.stop()


def test_lea_07_booking_is_configured_only_with_the_api_and_our_service(settings):
    settings.TRAFFT_API_URL = "https://wekst.trafft.com/api/v2"
    settings.TRAFFT_CLIENT_ID, settings.TRAFFT_CLIENT_SECRET = "id", "secret"
    settings.TRAFFT_SERVICE_ID = ""
    assert not TRAFFT_BOOKING.is_configured()
    settings.TRAFFT_SERVICE_ID = "3"
    assert TRAFFT_BOOKING.is_configured()
    settings.TRAFFT_CLIENT_SECRET = ""
    assert not TRAFFT_BOOKING.is_configured()
