"""Fakes for tests and local work: a booking provider that sends deliveries shaped and verified like
Trafft's (flat body, verification token) or Cal.com's (signed body) to our own webhook endpoints,
a local server playing Trafft's API v2, and a processor connector that records what it was asked
to erase, correct or restrict."""

from __future__ import annotations

import datetime
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from processors import calcom, trafft
from processors.base import BOOKED, CANCELLED, NO_SHOW, RESCHEDULE_REQUESTED, RESCHEDULED
from processors.connectors import ConnectorFailed, ManualStepNeeded, ProcessorTarget

CALCOM_TRIGGERS = {
    BOOKED: "BOOKING_CREATED",
    RESCHEDULED: "BOOKING_RESCHEDULED",
    CANCELLED: "BOOKING_CANCELLED",
    RESCHEDULE_REQUESTED: "BOOKING_CANCELLED",
}
# Our meeting state -> (Trafft's webhook event, its appointmentStatus).
TRAFFT_EVENTS = {
    BOOKED: (trafft.BOOKED_EVENT, "approved"),
    RESCHEDULED: (trafft.RESCHEDULED_EVENT, "approved"),
    CANCELLED: (trafft.CANCELED_EVENT, "canceled"),
    NO_SHOW: (trafft.STATUS_CHANGED_EVENT, "no-show"),
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
    """A Cal.com webhook body (the fields we read, and a few we deliberately ignore).

    Shape: calcom/cal.com docs/developing/guides/automation/webhooks.mdx and
    packages/features/webhooks/lib/sendPayload.ts (../shared/providers.md): the phone is in
    `responses.attendeePhoneNumber.value`; on a cancellation `attendees[].phoneNumber` is null.
    """
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
                "language": {"locale": booking.language},
            }
        ],
        "responses": {
            "name": {"label": "your_name", "value": booking.name},
            "email": {"label": "email_address", "value": booking.email},
            "attendeePhoneNumber": {"label": "phone_number", "value": booking.phone},
            "notes": {"label": "additional_notes", "value": "Not stored"},
        },
    }
    if status in (CANCELLED, RESCHEDULE_REQUESTED):
        payload["attendees"][0]["phoneNumber"] = None
    if status == RESCHEDULE_REQUESTED:
        payload["requestReschedule"] = True
    if previous_booking_id:
        payload["rescheduleUid"] = previous_booking_id
    body = {
        "triggerEvent": CALCOM_TRIGGERS.get(status, status),
        "createdAt": sent_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "payload": payload,
    }
    return json.dumps(body).encode()


def trafft_body(status: str, booking: Booking, *, appointment_status: str = "") -> bytes:
    """A Trafft webhook body, flat, with Trafft's documented field names.

    Source: https://trafft.com/docs/custom-features/configure-webhooks/ (field list as gathered
    in ../shared/providers.md). No appointment id, no delivery id, no time of sending: Trafft
    documents none. The employee, service, location, price and custom fields are sent but not
    stored by us (EM-11).
    """
    _, default_status = TRAFFT_EVENTS.get(status, (status, "approved"))
    first, _, last = booking.name.partition(" ")
    body = {
        "appointmentStatus": appointment_status or default_status,
        "appointmentStartDateTime": booking.starts_at.isoformat(),
        "appointmentEndDateTime": booking.ends_at.isoformat(),
        "appointmentPrice": "0.00",
        "customerFullName": booking.name,
        "customerFirstName": first,
        "customerLastName": last,
        "customerEmail": booking.email,
        "customerPhone": booking.phone,
        "employeeFullName": "Ola Selger",
        "employeeEmail": "hello@wekst.com",
        "employeePhone": "+47 400 00 000",
        "serviceCategory": "Meetings",
        "serviceName": "Growth meeting",
        "serviceDuration": booking.minutes * 60,
        "servicePrice": "0.00",
        "extras": [],
        "locationName": "Online",
        "locationAddress": "",
        "locationPhone": "",
        "customFields": [{"label": "What should we talk about?", "value": "Not stored"}],
    }
    return json.dumps(body).encode()


def trafft_event(status: str) -> str:
    """The Trafft webhook (one URL per event) that reports our meeting state `status`."""
    return TRAFFT_EVENTS.get(status, (status, ""))[0]


class FakeBookingProvider:
    """Plays one provider: signs bodies with its secret and posts them to our endpoint."""

    def __init__(self, provider: str, secret: str, client: Client | None = None):
        self.provider, self.secret, self.client = provider, secret, client or Client()
        self.event = trafft.BOOKED_EVENT  # the Trafft webhook URL `post` calls

    @property
    def url(self) -> str:
        if self.provider == trafft.PROVIDER and self.event not in trafft.EVENTS:
            return f"/webhooks/trafft/{self.event}/"  # an event with no URL of ours
        if self.provider == trafft.PROVIDER:
            return reverse("processors:trafft_webhook", kwargs={"event": self.event})
        return reverse(f"processors:{self.provider}_webhook")

    @property
    def missing_error(self) -> str:
        return "missing_token" if self.provider == trafft.PROVIDER else "missing_signature"

    @property
    def invalid_error(self) -> str:
        return "invalid_token" if self.provider == trafft.PROVIDER else "invalid_signature"

    def booking_id(self, booking: Booking) -> str:
        """The meeting's booking id for this booking (Trafft's is derived: it sends none)."""
        if self.provider == trafft.PROVIDER:
            return trafft.appointment_key(json.loads(trafft_body(BOOKED, booking)))
        return booking.booking_id

    def body(self, status: str, booking: Booking, **options) -> bytes:
        if self.provider == calcom.PROVIDER:
            return calcom_body(status, booking, **options)
        self.event = trafft_event(status)
        return trafft_body(status, booking, **options)

    def headers(self, body: bytes) -> dict:
        if self.provider == calcom.PROVIDER:
            return {calcom.SIGNATURE_HEADER: calcom.sign(body, self.secret)}
        return {trafft.VERIFICATION_HEADER: self.secret}

    def post(self, body: bytes, headers: dict | None = None):
        return self.client.post(
            self.url, data=body, content_type="application/json", headers=headers or {}
        )

    def deliver(self, status: str, booking: Booking, **options):
        """Send a correctly verified, fresh delivery; returns the response."""
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


class FakeTrafftApi:
    """A local server speaking Trafft's API v2 as ../shared/providers.md describes it (sources:
    trafft.com/docs/custom-features/api/ and Trafft's Postman workspace,
    documenter.getpostman.com/view/1487056/2sAY4x9MRe):

        POST /token (form: grant_type=client_credentials, client_id, client_secret)
             -> {"token_type": "Bearer", "expires_in": 3600, "access_token": "…"}
        GET  /customers?page=&limit= -> {"data": [...], "pagination": {"total", "page",
             "limit", "pages"}}, snake_case fields
        PATCH /customers/{id}, DELETE /customers/{id}
        POST /customers, GET /available-times?service=, POST /bookings (booking from our page:
        shapes in processors/tests/trafft_booking_samples.py, the guesses marked there)

    `customers` is what it holds; `free_times` the (date, time, employee) it offers; `bookings`
    what was booked; `calls` every request; `outages` answers that many 503s before serving;
    `fail` maps "METHOD /path" to a status answered instead; `delay` seconds before answering;
    `revoke_token()` makes the current token answer 401 (expired early)."""

    def __init__(self, *, client_id: str = "trafft-client", client_secret: str = "trafft-secret"):  # noqa: S107
        self.client_id, self.client_secret = client_id, client_secret
        self.customers: dict[int, dict] = {}
        self.calls: list[dict] = []
        self.outages = 0
        self.free_times: list[tuple[str, str, int]] = []
        self.bookings: list[dict] = []
        self.fail: dict[str, int] = {}
        self.delay = 0.0
        self.tokens_issued = 0
        self._valid_tokens: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                call = {
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
                fake.calls.append(call)
                if fake.delay:
                    time.sleep(fake.delay)
                status, answer = fake.answer(call)
                data = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/v2"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def add_customer(self, email: str, **fields) -> int:
        customer_id = max(self.customers, default=100) + 1
        self.customers[customer_id] = {
            "id": customer_id,
            "first_name": "Kari",
            "last_name": "Nordmann",
            "email": email,
            "phone": "+4791234567",
            **fields,
        }
        return customer_id

    def revoke_token(self):
        self._valid_tokens.clear()

    def answer(self, call: dict) -> tuple[int, dict | None]:
        if self.outages:
            self.outages -= 1
            return 503, {"message": "Service unavailable"}
        parts = urlsplit(call["path"])
        path = parts.path.removeprefix("/api/v2")
        failing = self.fail.get(f"{call['method']} {path}")
        if failing:
            return failing, {"message": "Failure the test asked for."}
        if call["method"] == "POST" and path == "/token":
            form = parse_qs(call["body"].decode())
            if form != {
                "grant_type": ["client_credentials"],
                "client_id": [self.client_id],
                "client_secret": [self.client_secret],
            }:
                return 401, {"error": "invalid_client"}
            self.tokens_issued += 1
            token = f"token-{self.tokens_issued}"
            self._valid_tokens.add(token)
            return 200, {"token_type": "Bearer", "expires_in": 3600, "access_token": token}
        given = call["headers"].get("authorization", "").removeprefix("Bearer ")
        if given not in self._valid_tokens:
            return 401, {"message": "Unauthenticated."}
        if call["method"] == "GET" and path == "/available-times":
            service = parse_qs(parts.query).get("service")
            if not service:
                return 422, {"message": "The service field is required."}
            times = [{"date": d, "time": t, "employee": e} for d, t, e in self.free_times]
            return 200, {"data": times}
        if call["method"] == "POST" and path == "/customers":
            fields = json.loads(call["body"])
            customer_id = self.add_customer(fields.pop("email"), **{"phone": "", **fields})
            return 201, self.customers[customer_id]
        if call["method"] == "POST" and path == "/bookings":
            return self._book(json.loads(call["body"]))
        if call["method"] == "GET" and path == "/customers":
            query = parse_qs(parts.query)
            page, limit = int(query["page"][0]), int(query["limit"][0])
            everyone = sorted(self.customers.values(), key=lambda c: c["id"])
            pages = max(1, -(-len(everyone) // limit))
            data = everyone[(page - 1) * limit : page * limit]
            pagination = {"total": len(everyone), "page": page, "limit": limit, "pages": pages}
            return 200, {"data": data, "pagination": pagination}
        if path.startswith("/customers/"):
            customer_id = int(path.rsplit("/", 1)[1])
            if customer_id not in self.customers:
                return 404, {"message": "Customer not found."}
            if call["method"] == "DELETE":
                del self.customers[customer_id]
                return 200, {"message": "Customer deleted."}
            if call["method"] == "PATCH":
                self.customers[customer_id].update(json.loads(call["body"]))
                return 200, self.customers[customer_id]
        return 404, {"message": "Not found."}

    def _book(self, booking: dict) -> tuple[int, dict]:
        wanted = (booking.get("date"), booking.get("time"), int(booking.get("employee") or 0))
        if int(booking.get("customer") or 0) not in self.customers:
            return 422, {"message": "The selected customer is invalid."}
        if wanted not in self.free_times:
            return 422, {"message": "The selected time slot is not available."}
        self.free_times.remove(wanted)
        appointment = {"id": 9000 + len(self.bookings), "status": "approved", **booking}
        self.bookings.append(appointment)
        return 201, appointment
