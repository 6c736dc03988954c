"""Trafft, the booking provider named in the policy: its webhook signature and booking payloads.

Trafft does not document a webhook signature, so deliveries reach us through a signing relay
under a scheme of our own (docs/booking-webhooks.md), modelled on Stripe's:

    X-Wekst-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">

The timestamp is inside the signed message, so a captured delivery cannot be made fresh again.
Several v1 values may be given (while the secret is rotated); one must match. The body:

    {"id": "<delivery id, optional>",
     "event": "appointment.booked" | "appointment.rescheduled" | "appointment.canceled",
     "appointment": {"id": "...", "previousId": "...", "start": "<ISO 8601>", "end": "...",
                     "customer": {"firstName": "...", "lastName": "...", "email": "...",
                                  "phone": "...", "language": "en"}}}
"""

import datetime
import json
import re
import time

from django.conf import settings

from processors.base import (
    BOOKED,
    CANCELLED,
    RESCHEDULED,
    BookingEvent,
    BookingWebhookView,
    WebhookRefused,
    booking_event,
    hmac_hex,
    keyed_body_hash,
    malformed,
    signatures_match,
)
from processors.connectors import ManualStepNeeded, ProcessorTarget, raise_for_status, send
from processors.integration import BOOKINGS, Integration

PROVIDER = "trafft"
SIGNATURE_HEADER = "X-Wekst-Signature"
# Trafft's trigger names, with punctuation and case ignored ("Appointment Booked" works too).
EVENTS = {
    "appointmentbooked": BOOKED,
    "appointmentrescheduled": RESCHEDULED,
    "appointmentcanceled": CANCELLED,
    "appointmentcancelled": CANCELLED,
}
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The value of X-Wekst-Signature for this body, signed at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={hmac_hex(secret, f'{timestamp}.'.encode() + body)}"


def parse_signature_header(value: str) -> tuple[int, list[str]]:
    """(timestamp, [v1 signatures]) from the header; WebhookRefused when it is not well formed."""
    timestamp, signatures = None, []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t" and item.isdigit():
            timestamp = int(item)
        elif key == "v1" and item:
            signatures.append(item)
    if timestamp is None or not signatures:
        raise WebhookRefused(
            401, "invalid_signature", f"The {SIGNATURE_HEADER} header must be t=<unix>,v1=<hex>."
        )
    return timestamp, signatures


class TrafftWebhookView(BookingWebhookView):
    provider = PROVIDER
    signature_header = SIGNATURE_HEADER

    def shared_secret(self) -> str:
        return settings.TRAFFT_WEBHOOK_SECRET

    def verify_signature(self, request, body: bytes, secret: str) -> None:
        timestamp, given = parse_signature_header(self.signature(request))
        expected = hmac_hex(secret, f"{timestamp}.".encode() + body)
        # Compare with every given signature (no early exit), each in constant time.
        if not any([signatures_match(expected, signature) for signature in given]):
            raise WebhookRefused(401, "invalid_signature", "The signature does not match the body.")

    def sent_at(self, request, payload: dict) -> datetime.datetime:
        timestamp, _ = parse_signature_header(request.headers.get(SIGNATURE_HEADER, ""))
        return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)

    def delivery_id(self, request, body: bytes, payload: dict) -> str:
        given = payload.get("id")
        if given is None:
            return keyed_body_hash(self.provider, body)
        return str(given)

    def parse(self, payload: dict) -> BookingEvent | None:
        event = payload.get("event")
        status = EVENTS.get(_NOT_ALNUM.sub("", event.lower())) if isinstance(event, str) else None
        if status is None:
            raise malformed(
                "unknown_event",
                "This webhook handles appointment booked, rescheduled and canceled only.",
            )
        appointment = payload.get("appointment")
        if not isinstance(appointment, dict) or not isinstance(appointment.get("customer"), dict):
            raise malformed("invalid_booking", "The body has no appointment with a customer.")
        customer = appointment["customer"]
        name = customer.get("fullName") or " ".join(
            str(customer.get(part) or "") for part in ("firstName", "lastName")
        )
        return booking_event(
            status=status,
            booking_id=appointment.get("id"),
            previous_booking_id=appointment.get("previousId") or "",
            name=name,
            email=customer.get("email"),
            phone=customer.get("phone"),
            starts_at=appointment.get("start"),
            ends_at=appointment.get("end"),
            language=customer.get("language") or "",
        )


def erase_customer(target: ProcessorTarget) -> None:
    """Pass an erasure on to Trafft (the erasure connector, processors/connectors.py).

    Trafft documents no API for deleting a customer, so, like its webhooks, the erasure goes
    through the signing relay: a POST to TRAFFT_ERASURE_URL signed with our scheme and the shared
    secret, which the relay carries out in Trafft. Without a relay, staff do it by hand.
    """
    if not (target.emails or target.booking_ids):
        return
    if not (settings.TRAFFT_ERASURE_URL and settings.TRAFFT_WEBHOOK_SECRET):
        raise ManualStepNeeded(
            "No Trafft erasure relay is configured (TRAFFT_ERASURE_URL). Delete the customer "
            "and the listed appointments by hand in Trafft: Customers > the customer > Delete."
        )
    body = json.dumps(
        {
            "event": "customer.erase",
            "customer": {"emails": list(target.emails), "phones": list(target.phones)},
            "appointmentIds": list(target.booking_ids),
        }
    ).encode()
    timestamp = int(time.time())
    response = send(
        "POST",
        settings.TRAFFT_ERASURE_URL,
        recipient=PROVIDER,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, settings.TRAFFT_WEBHOOK_SECRET, timestamp),
        },
        body=body,
    )
    raise_for_status(response, "Trafft erasure relay")


# Trafft documents no API to change or restrict a customer, and the erasure relay only erases, so
# a rectification or a restriction waits for staff: what to do is in the message, the person's
# identifiers and the corrected values are in the job.


def rectify_customer(target: ProcessorTarget, changes: dict[str, str]) -> None:
    """Pass a rectification on to Trafft: by hand (Art. 16, 19)."""
    if not (target.emails or target.booking_ids) or not changes:
        return
    raise ManualStepNeeded(
        f"Trafft has no API to correct a customer. Correct {', '.join(sorted(changes))} by hand "
        "in Trafft: Customers > search the address in this job's identifiers > Edit, with the "
        "corrected values in this job's changes; then mark the job done."
    )


def restrict_customer(target: ProcessorTarget) -> None:
    """Pass a restriction on to Trafft: by hand (Art. 18, 19)."""
    if not (target.emails or target.booking_ids):
        return
    raise ManualStepNeeded(
        "Trafft has no API to restrict a customer. In Trafft: Customers > search the address in "
        "this job's identifiers > add the note 'Restricted (GDPR Art. 18): store only, no "
        "marketing, no export' and turn off marketing notifications for the customer; then "
        "mark the job done."
    )


INTEGRATION = Integration(
    key=PROVIDER,
    setting="TRAFFT_WEBHOOK_SECRET",
    data_categories=("identity", "contact", "booking"),
    received_through=BOOKINGS,
    known_by=("emails", "phones", "booking_ids"),
    url_settings=("TRAFFT_ERASURE_URL",),
    erase=erase_customer,
    rectify=rectify_customer,
    restrict=restrict_customer,
    # The erasure relay's body: which customer (addresses, phones) and which appointments.
    what_it_holds=(
        "Cannot be asked: Trafft documents no API to list its customers. Erasures reach it "
        "through the signing relay or staff (rights.ProcessorNotice); beyond that it relies on "
        "Trafft deleting what we erase there."
    ),
    sends={
        "event": None,
        "customer.emails": "contact",
        "customer.phones": "contact",
        "appointmentIds": "booking",
    },
)
