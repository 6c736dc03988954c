"""Trafft and Cal.com as they really send (EM-11, LEA-03): Trafft's flat bodies and verification
token, one URL per event; Cal.com's phone, "request reschedule" and late deliveries.

Fixture shapes: processors/fake.py, from ../shared/providers.md (Trafft:
https://trafft.com/docs/custom-features/configure-webhooks/ ; Cal.com:
calcom/cal.com docs/developing/guides/automation/webhooks.mdx).
"""

import datetime
import json
import logging

import pytest
import time_machine
from django.utils import timezone

from leads.models import Lead, Meeting
from processors import trafft
from processors.fake import Booking, FakeBookingProvider
from processors.models import WebhookDelivery
from subjects.models import Subject

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("booking_providers_on_record")]

TOKEN = "trafft-verification-token"


@pytest.fixture
def trafft_fake(settings, client):
    settings.TRAFFT_WEBHOOK_SECRET = TOKEN
    return FakeBookingProvider("trafft", TOKEN, client)


@pytest.fixture
def calcom_fake(settings, client):
    settings.CALCOM_WEBHOOK_SECRET = "calcom-test-secret"
    return FakeBookingProvider("calcom", "calcom-test-secret", client)


def post_trafft(fake, event: str, body: dict, headers: dict | None = None):
    fake.event = event
    raw = json.dumps(body).encode()
    return fake.post(raw, {trafft.VERIFICATION_HEADER: TOKEN} if headers is None else headers)


def trafft_payload(booking: Booking, status: str = "approved") -> dict:
    # Trafft's flat body, its documented field names:
    # https://trafft.com/docs/custom-features/configure-webhooks/
    from processors.fake import trafft_body

    return json.loads(trafft_body("booked", booking, appointment_status=status))


# Trafft --------------------------------------------------------------------------------------


def test_lea_03_trafft_flat_booking_creates_the_meeting(trafft_fake):
    booking = Booking()

    response = post_trafft(trafft_fake, "appointment.booked", trafft_payload(booking))

    assert response.json() == {"status": "applied"}
    meeting = Meeting.objects.get()
    assert (meeting.provider, meeting.status) == ("trafft", Meeting.Status.BOOKED)
    assert (meeting.starts_at, meeting.ends_at) == (booking.starts_at, booking.ends_at)
    assert (meeting.lead.name, meeting.lead.email) == ("Kari Nordmann", "kari@klinikk.example")
    assert meeting.subject.phone == "+4791234567"


def test_lea_03_each_trafft_event_has_its_url():
    from django.urls import reverse

    for event in trafft.EVENTS:
        url = reverse("processors:trafft_webhook", kwargs={"event": event})
        assert url == f"/webhooks/trafft/{event}/"


@pytest.mark.parametrize(
    ("event", "status", "expected"),
    [
        ("appointment.booked", "approved", Meeting.Status.BOOKED),
        ("appointment.booked", "pending", Meeting.Status.BOOKED),
        ("appointment.rescheduled", "approved", Meeting.Status.RESCHEDULED),
        ("appointment.canceled", "canceled", Meeting.Status.CANCELLED),
        ("appointment.statusChanged", "rejected", Meeting.Status.CANCELLED),
        ("appointment.statusChanged", "no-show", Meeting.Status.NO_SHOW),
        ("appointment.statusChanged", "approved", Meeting.Status.BOOKED),
    ],
)
def test_lea_03_every_trafft_event_maps_to_the_meetings_state(trafft_fake, event, status, expected):
    booking = Booking()
    post_trafft(trafft_fake, "appointment.booked", trafft_payload(booking, "pending"))

    response = post_trafft(trafft_fake, event, trafft_payload(booking, status))

    assert response.status_code == 200
    assert Meeting.objects.get().status == expected


def test_lea_03_trafft_reschedule_moves_the_same_meeting(trafft_fake):
    booking = Booking()
    post_trafft(trafft_fake, "appointment.booked", trafft_payload(booking))
    booking.starts_at += datetime.timedelta(days=2)

    post_trafft(trafft_fake, "appointment.rescheduled", trafft_payload(booking))

    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.starts_at) == (Meeting.Status.RESCHEDULED, booking.starts_at)


def test_em_11_trafft_customer_created_stores_nothing(trafft_fake):
    # Data minimisation: a customer with no appointment is nobody we meet; the booking that
    # follows brings the same details.
    body = trafft_payload(Booking())
    for key in [k for k in body if k.startswith(("appointment", "service", "employee"))]:
        del body[key]

    response = post_trafft(trafft_fake, "customer.created", body)

    assert response.json() == {"status": "ignored"}
    assert not Subject.objects.exists() and not Lead.objects.exists()
    assert not Meeting.objects.exists()


def test_em_11_trafft_replay_of_the_same_state_is_a_no_op(trafft_fake):
    booking = Booking()
    body = trafft_payload(booking)
    post_trafft(trafft_fake, "appointment.booked", body)
    contact = Lead.objects.get().last_contact_at

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        repeat = post_trafft(trafft_fake, "appointment.booked", body)

    assert repeat.json() == {"status": "duplicate"}
    assert WebhookDelivery.objects.count() == 1
    assert Lead.objects.get().last_contact_at == contact


def test_em_11_an_older_trafft_state_never_rolls_the_meeting_back(trafft_fake):
    booking = Booking()
    booked = trafft_payload(booking)
    post_trafft(trafft_fake, "appointment.booked", booked)
    post_trafft(trafft_fake, "appointment.canceled", trafft_payload(booking, "canceled"))

    # The booked delivery replayed, and a first "booked" for the slot arriving after its cancel.
    assert post_trafft(trafft_fake, "appointment.booked", booked).status_code == 200
    post_trafft(trafft_fake, "appointment.statusChanged", trafft_payload(booking, "approved"))

    assert Meeting.objects.get().status == Meeting.Status.CANCELLED


def test_em_11_the_trafft_state_a_meeting_is_in_again_is_a_duplicate(trafft_fake):
    booking = Booking()
    booked = trafft_payload(booking)
    post_trafft(trafft_fake, "appointment.booked", booked)

    assert post_trafft(trafft_fake, "appointment.booked", booked).json() == {"status": "duplicate"}


def test_em_11_a_trafft_change_back_to_a_state_the_meeting_left_is_applied(trafft_fake):
    # Trafft sends no delivery id, so a delivery is known by the state it reports; that state
    # again was refused as a duplicate for good, and a corrected no-show or a meeting moved back
    # to its first time was dropped (found 8 Dec 2026). It is a repeat only while the meeting
    # is still in it.
    booking = Booking()
    moved = Booking(starts_at=booking.starts_at + datetime.timedelta(days=1))
    post_trafft(trafft_fake, "appointment.booked", trafft_payload(booking))
    no_show = trafft_payload(booking, "no-show")
    approved = trafft_payload(booking, "approved")
    outcomes = [
        post_trafft(trafft_fake, "appointment.statusChanged", no_show).json()["status"],
        post_trafft(trafft_fake, "appointment.statusChanged", approved).json()["status"],
        post_trafft(trafft_fake, "appointment.statusChanged", no_show).json()["status"],
    ]
    assert outcomes == ["applied", "applied", "applied"]
    assert Meeting.objects.get().status == Meeting.Status.NO_SHOW

    for target in (moved, booking, moved):
        body = trafft_payload(target)
        answer = post_trafft(trafft_fake, "appointment.rescheduled", body)
        assert answer.json() == {"status": "applied"}
        assert Meeting.objects.get().starts_at == target.starts_at


def test_em_11_trafft_token_is_required_and_compared_in_constant_time(trafft_fake, monkeypatch):
    calls = []
    real = trafft.hmac.compare_digest
    monkeypatch.setattr(
        trafft.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b)
    )
    body = trafft_payload(Booking())

    missing = post_trafft(trafft_fake, "appointment.booked", body, headers={})
    wrong = post_trafft(
        trafft_fake, "appointment.booked", body, headers={"Authorization": "not-the-token"}
    )
    bearer = post_trafft(
        trafft_fake, "appointment.booked", body, headers={"Authorization": f"Bearer {TOKEN}"}
    )

    assert (missing.status_code, missing.json()["error"]) == (401, "missing_token")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_token")
    assert bearer.status_code == 200
    assert (TOKEN.encode(), b"not-the-token") in calls


def test_em_11_trafft_token_in_the_body_only_when_the_setting_says_so(trafft_fake, settings):
    body = trafft_payload(Booking()) | {"verificationToken": TOKEN}

    refused = post_trafft(trafft_fake, "appointment.booked", body, headers={})
    assert (refused.status_code, refused.json()["error"]) == (401, "missing_token")
    assert not Meeting.objects.exists()

    settings.TRAFFT_TOKEN_IN_BODY = True
    forged = post_trafft(
        trafft_fake, "appointment.booked", body | {"verificationToken": "x"}, headers={}
    )
    assert (forged.status_code, forged.json()["error"]) == (401, "invalid_token")
    assert post_trafft(trafft_fake, "appointment.booked", body, headers={}).status_code == 200


def test_em_11_only_declared_trafft_fields_are_stored(trafft_fake):
    post_trafft(trafft_fake, "appointment.booked", trafft_payload(Booking()))

    stored = json.dumps(
        list(Lead.objects.values())
        + list(Meeting.objects.values())
        + list(Subject.objects.values()),
        default=str,
    )
    for not_declared in ("Ola Selger", "hello@wekst.com", "Growth meeting", "Online", "Not stored"):
        assert not_declared not in stored


def test_em_11_trafft_unknown_status_is_refused(trafft_fake):
    response = post_trafft(
        trafft_fake, "appointment.statusChanged", trafft_payload(Booking(), "teleported")
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_booking")
    assert not Meeting.objects.exists() and not WebhookDelivery.objects.exists()


# Cal.com -------------------------------------------------------------------------------------


def test_lea_03_calcom_phone_comes_from_the_booking_responses(calcom_fake):
    booking = Booking(phone="+47 987 65 432")
    calcom_fake.deliver("booked", booking)
    assert Subject.objects.get().phone == "+4798765432"

    # A cancellation carries `phoneNumber: null` on the attendee: the phone is not lost.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        calcom_fake.deliver("cancelled", booking)
    assert Subject.objects.get().phone == "+4798765432"
    assert Lead.objects.get().phone


def test_lea_03_calcom_request_reschedule_is_recorded_as_such(calcom_fake):
    booking = Booking()
    calcom_fake.deliver("booked", booking)

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        response = calcom_fake.deliver("reschedule_requested", booking)

    assert response.status_code == 200
    assert Meeting.objects.get().status == Meeting.Status.RESCHEDULE_REQUESTED


def test_em_11_a_late_calcom_delivery_is_applied_and_flagged(calcom_fake, settings, caplog):
    start = timezone.now()
    sent = start - datetime.timedelta(seconds=settings.WEBHOOK_TOLERANCE_SECONDS * 20)
    body = calcom_fake.body("booked", Booking(), sent_at=sent)

    with caplog.at_level(logging.WARNING, logger="processors.base"):
        response = calcom_fake.post(body, calcom_fake.headers(body))

    assert response.json() == {"status": "applied"}
    assert Meeting.objects.exists()
    assert WebhookDelivery.objects.get().late is True
    assert "arrived late" in caplog.text

    # The same delivery again (a replay, or Cal.com's own retry) is not applied twice.
    with time_machine.travel(start + datetime.timedelta(days=1)):
        again = calcom_fake.post(body, calcom_fake.headers(body))
    assert again.json() == {"status": "duplicate"}
    assert WebhookDelivery.objects.count() == 1


def test_em_11_a_late_older_calcom_event_does_not_roll_the_meeting_back(calcom_fake):
    booking = Booking()
    start = timezone.now()
    created = calcom_fake.body("booked", booking, sent_at=start - datetime.timedelta(hours=2))
    cancelled = calcom_fake.body("cancelled", booking, sent_at=start - datetime.timedelta(hours=1))

    calcom_fake.post(cancelled, calcom_fake.headers(cancelled))
    calcom_fake.post(created, calcom_fake.headers(created))

    assert Meeting.objects.get().status == Meeting.Status.CANCELLED


def test_em_11_a_calcom_delivery_dated_in_the_future_is_refused(calcom_fake, settings):
    ahead = timezone.now() + datetime.timedelta(seconds=settings.WEBHOOK_TOLERANCE_SECONDS + 60)
    body = calcom_fake.body("booked", Booking(), sent_at=ahead)

    response = calcom_fake.post(body, calcom_fake.headers(body))

    assert (response.status_code, response.json()["error"]) == (401, "stale")
    assert not Meeting.objects.exists() and not WebhookDelivery.objects.exists()
