"""Booking events of one person arriving at the same moment (LEA-03), on PostgreSQL, where each
request has its own connection and transactions really overlap (SQLite runs one writer at a time).

Both found no meeting before either had stored one: two different events of one new booking
gave a 500 on the unique booking id, and a booking on our page with the provider's webhook for it
gave two meetings. record_booking now takes the person's row first, so the second waits and then
finds the first's meeting.
"""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from leads.meetings import record_booking
from leads.models import Lead, Meeting
from leads.tests.factories import make_lead
from processors.fake import Booking, FakeBookingProvider
from processors.tests.conftest import SECRETS
from wekst.testing import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("booking_providers_on_record"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite runs one writer at a time"
    ),
]


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.TRAFFT_WEBHOOK_SECRET = SECRETS["trafft"]
    settings.CALCOM_WEBHOOK_SECRET = SECRETS["calcom"]


def delivery(provider: str, status: str, booking: Booking, **options):
    """A verified delivery, sent from its own client when called."""
    sender = FakeBookingProvider(provider, SECRETS[provider], Client(raise_request_exception=False))
    body = sender.body(status, booking, **options)
    headers = sender.headers(body)
    return lambda: sender.post(body, headers)


@pytest.mark.parametrize(
    ("provider", "first", "second", "final"),
    [
        ("trafft", "booked", "no_show", {Meeting.Status.BOOKED, Meeting.Status.NO_SHOW}),
        ("calcom", "booked", "cancelled", {Meeting.Status.BOOKED, Meeting.Status.CANCELLED}),
    ],
)
@pytest.mark.parametrize("round_", range(3))
def test_lea_03_two_events_of_a_new_booking_at_once_make_one_meeting(
    provider, first, second, final, round_
):
    booking = Booking()
    # Known already, with this phone: only the lock on their row holds the two apart.
    make_lead(email=booking.email, phone=booking.phone)

    answers = at_once(delivery(provider, first, booking), delivery(provider, second, booking))

    assert [answer.status_code for answer in answers] == [200, 200], answers
    assert sorted(answer.json()["status"] for answer in answers) == ["applied", "applied"]
    meeting = Meeting.objects.get()
    assert meeting.status in final
    assert Lead.objects.filter(kind=Lead.Kind.BOOKING).count() == 1


@pytest.mark.parametrize("round_", range(3))
def test_lea_03_a_booking_on_our_page_and_its_webhook_at_once_are_one_meeting(round_):
    booking = Booking()
    # Known already, with this phone: only the lock on their row holds the two apart.
    make_lead(email=booking.email, phone=booking.phone)

    def booked_on_our_page():
        return record_booking(
            provider="trafft",
            status="booked",
            booking_id="9000",  # Trafft's appointment id, which its webhook does not carry
            name=booking.name,
            email=booking.email,
            phone=booking.phone,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            occurred_at=timezone.now(),
            booked_here=True,
        )

    page, webhook = at_once(booked_on_our_page, delivery("trafft", "booked", booking))

    assert isinstance(page, Meeting), page
    assert webhook.status_code == 200
    meeting = Meeting.objects.get()
    # Whichever came first, the id the webhooks use is kept (docs/booking-webhooks.md), and the
    # meeting is marked booked on our page.
    trafft = FakeBookingProvider("trafft", SECRETS["trafft"], Client())
    assert meeting.provider_booking_id == trafft.booking_id(booking)
    assert meeting.starts_at == booking.starts_at
    assert meeting.booked_here


@pytest.mark.parametrize("round_", range(3))
def test_lea_03_two_reschedules_of_one_booking_at_once_leave_one_meeting(round_):
    # Cal.com's deliveries of both reschedules, retried together: the second names an id the
    # first makes (test_lea_03_reschedule_chains.py has every order one at a time).
    original = Booking()
    moved = Booking(starts_at=original.starts_at + datetime.timedelta(days=1))
    moved_again = Booking(starts_at=original.starts_at + datetime.timedelta(days=2))
    made_at = timezone.now()
    delivery("calcom", "booked", original, sent_at=made_at)()

    answers = at_once(
        delivery(
            "calcom",
            "rescheduled",
            moved,
            previous_booking_id=original.booking_id,
            sent_at=made_at + datetime.timedelta(seconds=1),
        ),
        delivery(
            "calcom",
            "rescheduled",
            moved_again,
            previous_booking_id=moved.booking_id,
            sent_at=made_at + datetime.timedelta(seconds=2),
        ),
    )

    assert [answer.status_code for answer in answers] == [200, 200], answers
    meeting = Meeting.objects.get()
    assert (meeting.provider_booking_id, meeting.starts_at) == (
        moved_again.booking_id,
        moved_again.starts_at,
    )
    assert sorted(meeting.replaced.values_list("booking_id", flat=True)) == sorted(
        [original.booking_id, moved.booking_id]
    )
