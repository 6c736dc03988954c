"""Trafft, the booking provider named in the policy: its webhooks as Trafft sends them.

Trafft sends one webhook per event type to a URL of its own (`/webhooks/trafft/<event>/`), with
a flat JSON body (`appointmentStatus`, `appointmentStartDateTime`, `customerEmail`, …) and a
static verification token in the `Authorization` header: no signature, no timestamp, no
delivery id, and (as documented) no appointment id. So the token is compared in constant time,
the appointment is known by a key derived from what the body carries, and a delivery by that key
with the status and start time it reports (docs/booking-webhooks.md; ../shared/providers.md).
"""

import datetime
import hmac
import json
import time

from django.conf import settings
from django.utils import timezone

from processors.base import (
    BOOKED,
    CANCELLED,
    NO_SHOW,
    RESCHEDULED,
    BookingEvent,
    BookingWebhookView,
    WebhookRefused,
    booking_event,
    hmac_hex,
    keyed_body_hash,
    malformed,
    single_line,
)
from processors.connectors import ManualStepNeeded, ProcessorTarget, raise_for_status, send
from processors.integration import BOOKINGS, Integration

PROVIDER = "trafft"
VERIFICATION_HEADER = "Authorization"
# The erasure relay's signature (erase_customer below); webhooks carry Trafft's token instead.
SIGNATURE_HEADER = "X-Wekst-Signature"
BOOKED_EVENT = "appointment.booked"
CANCELED_EVENT = "appointment.canceled"
RESCHEDULED_EVENT = "appointment.rescheduled"
STATUS_CHANGED_EVENT = "appointment.statusChanged"
CUSTOMER_CREATED_EVENT = "customer.created"
EVENTS = (
    BOOKED_EVENT,
    CANCELED_EVENT,
    RESCHEDULED_EVENT,
    STATUS_CHANGED_EVENT,
    CUSTOMER_CREATED_EVENT,
)
# Trafft's appointment statuses (API v2: approved, pending, canceled, rejected, no-show) as the
# meeting's state. A pending appointment waits for Trafft's approval: for us it is booked.
STATUSES = {
    "approved": BOOKED,
    "pending": BOOKED,
    "canceled": CANCELLED,
    "cancelled": CANCELLED,
    "rejected": CANCELLED,
    "no-show": NO_SHOW,
}


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The erasure relay's X-Wekst-Signature for this body, signed at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={hmac_hex(secret, f'{timestamp}.'.encode() + body)}"


def appointment_key(payload: dict) -> str:
    """The appointment's id: Trafft's own when the body has one, else one derived from the body.

    Trafft's documented webhook body carries no appointment id. What stays the same across the
    appointment's life (booked, rescheduled to a new time, cancelled) is who booked what with
    whom where: the customer's address, the service, the employee and the location. The key is
    a keyed hash of those (no personal data in clear in the meeting's booking id). The price of
    deriving it: the same person booking the same service with the same employee again reuses
    the one meeting record, moved to the new time.
    """
    given = payload.get("appointmentId")
    if isinstance(given, str | int) and not isinstance(given, bool) and str(given).strip():
        return single_line(given, 128)
    parts = [
        single_line(payload.get(field), 254).lower()
        for field in ("customerEmail", "serviceName", "employeeEmail", "locationName")
    ]
    return "trafft-" + hmac_hex(settings.SECRET_KEY, "\n".join(parts).encode())[:40]


class TrafftWebhookView(BookingWebhookView):
    provider = PROVIDER
    signature_header = VERIFICATION_HEADER

    def shared_secret(self) -> str:
        # Trafft's Verification Token (Features and Integrations > Webhooks).
        return settings.TRAFFT_WEBHOOK_SECRET

    def verify_signature(self, request, body: bytes, secret: str) -> None:
        given = request.headers.get(VERIFICATION_HEADER, "")
        if not given and settings.TRAFFT_TOKEN_IN_BODY:
            return  # checked on the parsed body (verify_payload)
        if not given:
            raise WebhookRefused(401, "missing_token", "The Authorization header is missing.")
        token = given.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        if not tokens_match(secret, token):
            raise WebhookRefused(401, "invalid_token", "The verification token does not match.")

    def verify_payload(self, payload: dict, secret: str) -> None:
        if self.request.headers.get(VERIFICATION_HEADER, ""):
            return
        # Only reached with TRAFFT_TOKEN_IN_BODY: one source says Trafft puts the token in the
        # body as `verificationToken`; unconfirmed, so off unless the setting says otherwise.
        given = payload.get("verificationToken")
        if not isinstance(given, str) or not given:
            raise WebhookRefused(401, "missing_token", "No verification token was sent.")
        if not tokens_match(secret, given):
            raise WebhookRefused(401, "invalid_token", "The verification token does not match.")

    def sent_at(self, request, payload: dict) -> datetime.datetime:
        # Trafft sends no time: events are ordered by when they reach us.
        return timezone.now()

    def delivery_id(self, request, body: bytes, payload: dict) -> str:
        """The appointment, its status and its start time: the same state again is a replay."""
        event = self.kwargs["event"]
        if event == CUSTOMER_CREATED_EVENT:
            return keyed_body_hash(self.provider, body)
        state = "\n".join(
            [
                event,
                appointment_key(payload),
                single_line(payload.get("appointmentStatus"), 32).lower(),
                single_line(payload.get("appointmentStartDateTime"), 64),
            ]
        )
        return hmac_hex(settings.SECRET_KEY, state.encode())

    def parse(self, payload: dict) -> BookingEvent | None:
        event = self.kwargs["event"]
        if event == CUSTOMER_CREATED_EVENT:
            # A customer without an appointment is nobody we have a meeting with: nothing is
            # stored (GDPR Art. 5(1)(c)). The booking that follows brings the same details.
            return None
        given = single_line(payload.get("appointmentStatus"), 32).lower()
        if event == CANCELED_EVENT:
            status = CANCELLED
        elif event == RESCHEDULED_EVENT:
            status = RESCHEDULED if STATUSES.get(given, BOOKED) == BOOKED else STATUSES[given]
        elif given in STATUSES:
            status = STATUSES[given]
        elif event == BOOKED_EVENT and not given:
            status = BOOKED
        else:
            raise malformed("invalid_booking", "The appointment's status is not one Trafft uses.")
        name = payload.get("customerFullName") or " ".join(
            single_line(payload.get(part), 100)
            for part in ("customerFirstName", "customerLastName")
        )
        return booking_event(
            status=status,
            booking_id=appointment_key(payload),
            name=name,
            email=payload.get("customerEmail"),
            phone=payload.get("customerPhone"),
            starts_at=payload.get("appointmentStartDateTime"),
            ends_at=payload.get("appointmentEndDateTime"),
        )


def tokens_match(expected: str, given: str) -> bool:
    """Compare the static token in constant time, so timing reveals nothing about it."""
    return hmac.compare_digest(expected.encode(), given.encode())


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
