"""Fakes for tests and local work: a booking provider that sends deliveries shaped and signed like
Trafft's (through our signing scheme) or Cal.com's to our own webhook endpoints, and a processor
connector that records what it was asked to erase, correct or restrict."""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass, field

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from processors import calcom, trafft
from processors.base import BOOKED, CANCELLED, RESCHEDULED
from processors.connectors import ConnectorFailed, ManualStepNeeded, ProcessorTarget

CALCOM_TRIGGERS = {
    BOOKED: "BOOKING_CREATED",
    RESCHEDULED: "BOOKING_RESCHEDULED",
    CANCELLED: "BOOKING_CANCELLED",
}
TRAFFT_EVENTS = {
    BOOKED: "appointment.booked",
    RESCHEDULED: "appointment.rescheduled",
    CANCELLED: "appointment.canceled",
}


@dataclass
class Booking:
    """One booking as the person made it at the provider."""

    booking_id: str = field(default_factory=lambda: uuid.uuid4().hex[:22])
    name: str = "Kari Nordmann"
    email: str = "kari@klinikk.example"
    phone: str = "+47 912 34 567"
    starts_at: datetime.datetime = field(
        default_factory=lambda: timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    )
    minutes: int = 30
    language: str = "nb"

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.minutes)


def calcom_body(
    status: str, booking: Booking, *, previous_booking_id: str = "", sent_at=None
) -> bytes:
    """A Cal.com webhook body (the fields we read, and a few we deliberately ignore)."""
    sent_at = sent_at or timezone.now()
    payload = {
        "type": "growth-meeting",
        "title": f"Growth meeting between Wekst and {booking.name}",
        "startTime": booking.starts_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "endTime": booking.ends_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "uid": booking.booking_id,
        "status": "CANCELLED" if status == CANCELLED else "ACCEPTED",
        "organizer": {"name": "Wekst", "email": "hello@wekst.com", "timeZone": "Europe/Oslo"},
        "attendees": [
            {
                "name": booking.name,
                "email": booking.email,
                "timeZone": "Europe/Oslo",
                "phoneNumber": booking.phone,
                "language": {"locale": booking.language},
            }
        ],
        "responses": {"notes": {"label": "additional_notes", "value": "Not stored"}},
    }
    if previous_booking_id:
        payload["rescheduleUid"] = previous_booking_id
    body = {
        "triggerEvent": CALCOM_TRIGGERS.get(status, status),
        "createdAt": sent_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "payload": payload,
    }
    return json.dumps(body).encode()


def trafft_body(
    status: str, booking: Booking, *, previous_booking_id: str = "", delivery_id: str | None = None
) -> bytes:
    """A body in the shape docs/booking-webhooks.md defines for Trafft deliveries."""
    first, _, last = booking.name.partition(" ")
    appointment = {
        "id": booking.booking_id,
        "start": booking.starts_at.isoformat(),
        "end": booking.ends_at.isoformat(),
        "customer": {
            "firstName": first,
            "lastName": last,
            "email": booking.email,
            "phone": booking.phone,
            "language": booking.language,
        },
    }
    if previous_booking_id:
        appointment["previousId"] = previous_booking_id
    body = {"event": TRAFFT_EVENTS.get(status, status), "appointment": appointment}
    body["id"] = delivery_id or f"evt_{uuid.uuid4().hex}"
    return json.dumps(body).encode()


class FakeBookingProvider:
    """Plays one provider: signs bodies with its secret and posts them to our endpoint."""

    def __init__(self, provider: str, secret: str, client: Client | None = None):
        self.provider, self.secret, self.client = provider, secret, client or Client()

    @property
    def url(self) -> str:
        return reverse(f"processors:{self.provider}_webhook")

    def body(self, status: str, booking: Booking, **options) -> bytes:
        if self.provider == calcom.PROVIDER:
            return calcom_body(status, booking, **options)
        return trafft_body(status, booking, **options)

    def headers(self, body: bytes, *, sent_at: datetime.datetime | None = None) -> dict:
        if self.provider == calcom.PROVIDER:
            return {calcom.SIGNATURE_HEADER: calcom.sign(body, self.secret)}
        timestamp = int((sent_at or timezone.now()).timestamp())
        return {trafft.SIGNATURE_HEADER: trafft.sign(body, self.secret, timestamp)}

    def post(self, body: bytes, headers: dict | None = None):
        return self.client.post(
            self.url, data=body, content_type="application/json", headers=headers or {}
        )

    def deliver(self, status: str, booking: Booking, **options):
        """Send a correctly signed, fresh delivery; returns the response."""
        body = self.body(status, booking, **options)
        return self.post(body, self.headers(body))


class FakeConnector:
    """A connector for tests (processors/connectors.py), for any kind of notice: records every
    call (the target, and a rectification's changes), fails the first `failures` calls with
    ConnectorFailed (an outage), or always asks for a manual step."""

    def __init__(self, *, failures: int = 0, manual: bool = False):
        self.failures, self.manual = failures, manual
        self.calls: list[ProcessorTarget] = []
        self.changes: list[dict[str, str]] = []

    def __call__(self, target: ProcessorTarget, changes: dict[str, str] | None = None) -> None:
        self.calls.append(target)
        if changes is not None:
            self.changes.append(changes)
        if self.manual:
            raise ManualStepNeeded("The fake processor has no API: erase by hand.")
        if len(self.calls) <= self.failures:
            raise ConnectorFailed(
                f"Fake outage (call {len(self.calls)} of {self.failures} failing)"
            )
