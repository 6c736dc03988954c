"""Booking webhooks from Trafft and Cal.com: verified, applied once, in order (LEA-03, EM-11)."""

import datetime
import json
import logging

import pytest
import time_machine
from django.utils import timezone

from leads.models import Lead, Meeting
from mail.models import OutgoingEmail
from processors import calcom
from processors.fake import Booking, FakeBookingProvider
from processors.models import WebhookDelivery
from subjects.models import Subject

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("booking_providers_on_record")]


def nothing_stored() -> bool:
    """No trace of a refused call: no person, lead, meeting, email or delivery record."""
    return not any(
        model.objects.exists() for model in (Subject, Lead, Meeting, OutgoingEmail, WebhookDelivery)
    )


def assert_refused(response, status: int, error: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == error
    assert body["message"]
    assert nothing_stored()


# Acceptance ---------------------------------------------------------------------------------


def test_lea_03_a_signed_booking_creates_the_lead_and_meeting_and_notifies_staff(
    provider, smtp_server, run_tasks, settings
):
    settings.WEKST_STAFF_EMAILS = ["sales@wekst.test"]
    booking = Booking()

    response = provider.deliver("booked", booking)

    assert response.status_code == 200
    assert response.json() == {"status": "applied"}
    meeting = Meeting.objects.get()
    assert meeting.provider == provider.provider
    assert meeting.provider_booking_id == provider.booking_id(booking)
    assert meeting.status == Meeting.Status.BOOKED
    assert meeting.starts_at == booking.starts_at
    assert meeting.ends_at == booking.ends_at
    lead = meeting.lead
    assert (lead.name, lead.email) == ("Kari Nordmann", "kari@klinikk.example")
    assert lead.subject.phone == "+4791234567"
    assert (lead.kind, lead.purpose, lead.source) == ("booking", "meetings", provider.provider)
    # Cal.com sends the attendee's locale; Trafft sends no language, so the site's default.
    assert lead.language == ("nb" if provider.provider == "calcom" else settings.LANGUAGE_CODE)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.provider, delivery.outcome) == (provider.provider, "applied")

    run_tasks()

    [message] = smtp_server.to("sales@wekst.test")
    assert message["Subject"].startswith("Meeting booked: Kari Nordmann")
    assert provider.booking_id(booking) in message.get_content()


def test_lea_03_only_declared_booking_fields_are_stored(provider):
    provider.deliver("booked", Booking())
    stored = json.dumps(list(Lead.objects.values()) + list(Meeting.objects.values()), default=str)
    assert "Not stored" not in stored  # free-text notes in the payload are not kept
    assert "hello@wekst.com" not in stored  # nor the organiser


def test_lea_03_reschedule_and_cancel_update_the_meeting(provider):
    booking = Booking()
    provider.deliver("booked", booking)

    booking.starts_at += datetime.timedelta(days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        assert provider.deliver("rescheduled", booking).status_code == 200
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.RESCHEDULED
    assert meeting.starts_at == booking.starts_at

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=10)):
        assert provider.deliver("cancelled", booking).status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert Meeting.objects.count() == 1
    assert WebhookDelivery.objects.count() == 3


def test_lea_03_a_reschedule_to_a_new_booking_id_updates_the_original_meeting(settings, client):
    # Cal.com only: its reschedule is a new booking uid with `rescheduleUid` the old one; Trafft
    # sends no ids at all (its key stays the same, test_lea_03_reschedule_and_cancel_...).
    settings.CALCOM_WEBHOOK_SECRET = "calcom-test-secret"
    provider = FakeBookingProvider("calcom", "calcom-test-secret", client)
    original = Booking()
    provider.deliver("booked", original)
    moved = Booking(starts_at=original.starts_at + datetime.timedelta(days=2))

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        provider.deliver("rescheduled", moved, previous_booking_id=original.booking_id)

    meeting = Meeting.objects.get()
    assert meeting.provider_booking_id == moved.booking_id
    assert meeting.starts_at == moved.starts_at


@pytest.mark.parametrize("late", ["booked", "cancelled"])
def test_lea_03_a_late_event_of_the_booking_a_reschedule_replaced_changes_nothing(
    settings, client, late
):
    # Cal.com queues and retries (../shared/providers.md): its creation of the original booking
    # may arrive after the reschedule that replaced it. It made a second meeting at the old
    # time, and told staff of it (found 8 Dec 2026).
    settings.CALCOM_WEBHOOK_SECRET = "calcom-test-secret"
    provider = FakeBookingProvider("calcom", "calcom-test-secret", client)
    original = Booking()
    moved = Booking(starts_at=original.starts_at + datetime.timedelta(days=2))
    made_at = timezone.now()
    provider.deliver(
        "rescheduled",
        moved,
        previous_booking_id=original.booking_id,
        sent_at=made_at + datetime.timedelta(seconds=5),
    )

    response = provider.deliver(late, original, sent_at=made_at)

    assert response.status_code == 200
    meeting = Meeting.objects.get()
    assert (meeting.provider_booking_id, meeting.status) == (moved.booking_id, "rescheduled")
    assert meeting.starts_at == moved.starts_at
    assert list(meeting.replaced.values_list("booking_id", flat=True)) == [original.booking_id]


def test_lea_03_each_booking_id_a_meeting_left_still_finds_it(settings, client):
    settings.CALCOM_WEBHOOK_SECRET = "calcom-test-secret"
    provider = FakeBookingProvider("calcom", "calcom-test-secret", client)
    first = Booking()
    second = Booking(starts_at=first.starts_at + datetime.timedelta(days=1))
    third = Booking(starts_at=first.starts_at + datetime.timedelta(days=2))
    made_at = timezone.now()
    provider.deliver("booked", first, sent_at=made_at)
    provider.deliver(
        "rescheduled",
        second,
        previous_booking_id=first.booking_id,
        sent_at=made_at + datetime.timedelta(seconds=1),
    )
    provider.deliver(
        "rescheduled",
        third,
        previous_booking_id=second.booking_id,
        sent_at=made_at + datetime.timedelta(seconds=2),
    )

    provider.deliver("booked", first, sent_at=made_at - datetime.timedelta(seconds=1))
    provider.deliver("booked", second, sent_at=made_at)

    meeting = Meeting.objects.get()
    assert (meeting.provider_booking_id, meeting.starts_at) == (third.booking_id, third.starts_at)


def test_lea_03_a_repeated_delivery_is_acknowledged_but_not_applied_twice(provider, caplog):
    booking = Booking()
    body = provider.body("booked", booking)
    headers = provider.headers(body)
    assert provider.post(body, headers).json() == {"status": "applied"}
    lead = Lead.objects.get()
    emails = OutgoingEmail.objects.count()

    with caplog.at_level(logging.INFO, logger="processors.base"):
        repeat = provider.post(body, headers)

    assert repeat.status_code == 200
    assert repeat.json() == {"status": "duplicate"}
    assert WebhookDelivery.objects.count() == 1
    assert Meeting.objects.count() == 1
    assert OutgoingEmail.objects.count() == emails
    assert Lead.objects.get().last_contact_at == lead.last_contact_at
    assert "duplicate" in caplog.text


def test_lea_03_the_delivery_record_holds_no_personal_data(provider):
    booking = Booking()
    provider.deliver("booked", booking)

    stored = json.dumps(list(WebhookDelivery.objects.values()), default=str)
    # The phone in both forms it could be stored in (as sent, and normalised).
    for personal in (booking.name, booking.email, booking.booking_id, booking.phone, "91234567"):
        assert personal not in stored


def test_lea_03_calcom_ping_test_is_acknowledged_and_changes_nothing(settings, client):
    settings.CALCOM_WEBHOOK_SECRET = "calcom-test-secret"
    fake = FakeBookingProvider("calcom", "calcom-test-secret", client)
    body = json.dumps(
        {"triggerEvent": "PING", "createdAt": timezone.now().isoformat(), "payload": {}}
    ).encode()

    response = fake.post(body, fake.headers(body))

    assert response.json() == {"status": "ignored"}
    assert not Lead.objects.exists()
    assert WebhookDelivery.objects.get().outcome == "ignored"


def test_lea_03_endpoints_are_not_language_prefixed_and_need_no_csrf_token(provider):
    assert provider.url in ("/webhooks/trafft/appointment.booked/", "/webhooks/calcom/")
    from django.test import Client

    strict = FakeBookingProvider(
        provider.provider, provider.secret, Client(enforce_csrf_checks=True)
    )
    assert strict.deliver("booked", Booking()).status_code == 200


# Refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["trafft", "calcom"])
def test_lea_03_a_provider_without_a_secret_refuses_every_call(settings, client, name):
    setattr(settings, f"{name.upper()}_WEBHOOK_SECRET", "")
    fake = FakeBookingProvider(name, "any-secret", client)

    response = fake.deliver("booked", Booking())

    assert_refused(response, 503, "not_configured")
    assert "no shared secret" in response.json()["message"]


def test_lea_03_an_unsigned_call_is_refused(provider):
    body = provider.body("booked", Booking())
    assert_refused(provider.post(body, {}), 401, provider.missing_error)


def test_lea_03_a_forged_signature_is_refused(provider):
    booking = Booking()
    body = provider.body("booked", booking)
    forged = FakeBookingProvider(provider.provider, "not-the-secret", provider.client)
    assert_refused(provider.post(body, forged.headers(body)), 401, provider.invalid_error)


def test_lea_03_a_body_changed_after_signing_is_refused(settings, client):
    # Cal.com signs its body; Trafft's static token does not cover the body (nothing can).
    settings.CALCOM_WEBHOOK_SECRET = "calcom-test-secret"
    provider = FakeBookingProvider("calcom", "calcom-test-secret", client)
    body = provider.body("booked", Booking())
    headers = provider.headers(body)
    tampered = body.replace(b"kari@klinikk.example", b"eve@evil.example")
    assert_refused(provider.post(tampered, headers), 401, "invalid_signature")


def test_lea_03_malformed_json_is_refused(provider):
    body = b'{"triggerEvent": "BOOKING_CREATED", "payload": '
    provider.body("booked", Booking())  # the booked event's URL
    assert_refused(provider.post(body, provider.headers(body)), 400, "malformed_json")


def test_lea_03_a_json_body_that_is_not_an_object_is_refused(provider):
    body = b'["BOOKING_CREATED"]'
    provider.body("booked", Booking())
    assert_refused(provider.post(body, provider.headers(body)), 400, "malformed_json")


def test_lea_03_an_unknown_event_is_refused(provider):
    body = provider.body("MEETING_ENDED", Booking())
    if provider.provider == "trafft":
        # One URL per event type: an event Trafft does not send has no URL.
        assert provider.post(body, provider.headers(body)).status_code == 404
        assert nothing_stored()
    else:
        assert_refused(provider.post(body, provider.headers(body)), 400, "unknown_event")


@pytest.mark.parametrize(
    "booking",
    [Booking(email="not-an-address"), Booking(email="kari@klinikk.example\r\nBcc: x@evil.example")],
)
def test_lea_03_a_booking_without_a_valid_email_is_refused(provider, booking):
    assert_refused(provider.deliver("booked", booking), 400, "invalid_booking")


def test_lea_03_a_signed_calcom_delivery_without_timestamp_is_refused(settings, client):
    settings.CALCOM_WEBHOOK_SECRET = "calcom-test-secret"
    fake = FakeBookingProvider("calcom", "calcom-test-secret", client)
    body = json.loads(fake.body("booked", Booking()))
    del body["createdAt"]
    raw = json.dumps(body).encode()
    assert_refused(fake.post(raw, fake.headers(raw)), 400, "missing_timestamp")


def test_lea_03_only_post_is_accepted(provider):
    assert provider.client.get(provider.url).status_code == 405
    assert nothing_stored()


def test_lea_03_a_refusal_is_logged_without_personal_data(provider, caplog):
    body = provider.body("booked", Booking())
    forged = FakeBookingProvider(provider.provider, "wrong", provider.client)

    with caplog.at_level(logging.WARNING, logger="processors.base"):
        provider.post(body, forged.headers(body))

    refused = f"Webhook from {provider.provider} refused with 401: {provider.invalid_error}"
    assert refused in caplog.text
    assert "kari" not in caplog.text.lower()
    assert "912" not in caplog.text


# Signatures ---------------------------------------------------------------------------------


def test_lea_03_signatures_are_compared_in_constant_time(provider, monkeypatch):
    from processors import base

    calls = []
    real = base.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(base.hmac, "compare_digest", spy)
    provider.deliver("booked", Booking())
    assert calls


def test_calcom_signature_is_the_hex_hmac_sha256_of_the_raw_body():
    # RFC 4231, test case 2: an HMAC-SHA256 value computed outside this code base.
    assert calcom.sign(b"what do ya want for nothing?", "Jefe") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
