"""Cal.com, the open-source booking provider: its webhook signature and booking payloads.

Cal.com signs the raw body: header `X-Cal-Signature-256` is the hex HMAC-SHA256 of the body with
the webhook's secret. It sends no timestamp header and no delivery id, so freshness comes from
the signed body's `createdAt`: Cal.com queues and retries, so a late delivery is applied and
flagged, never lost. A delivery is known by its booking uid, trigger and `createdAt` (keyed, so no
personal data is kept): the same one again is a replay. Subscribe the webhook to BOOKING_CREATED,
BOOKING_RESCHEDULED and BOOKING_CANCELLED; its "Ping test" is acknowledged and changes nothing.
See docs/booking-webhooks.md.
"""

import datetime
import json

from django.conf import settings

from processors.base import (
    BOOKED,
    CANCELLED,
    RESCHEDULE_REQUESTED,
    RESCHEDULED,
    BookingEvent,
    BookingWebhookView,
    WebhookRefused,
    booking_event,
    hmac_hex,
    keyed_body_hash,
    malformed,
    parse_time,
    signatures_match,
)
from processors.connectors import ManualStepNeeded, ProcessorTarget, raise_for_status, send
from processors.integration import BOOKINGS, Integration

PROVIDER = "calcom"
SIGNATURE_HEADER = "X-Cal-Signature-256"
EVENTS = {
    "BOOKING_CREATED": BOOKED,
    "BOOKING_RESCHEDULED": RESCHEDULED,
    "BOOKING_CANCELLED": CANCELLED,
}
PING = "PING"


def sign(body: bytes, secret: str) -> str:
    """The value of X-Cal-Signature-256 for this body."""
    return hmac_hex(secret, body)


class CalcomWebhookView(BookingWebhookView):
    provider = PROVIDER
    signature_header = SIGNATURE_HEADER

    def shared_secret(self) -> str:
        return settings.CALCOM_WEBHOOK_SECRET

    def verify_signature(self, request, body: bytes, secret: str) -> None:
        if not signatures_match(sign(body, secret), self.signature(request)):
            raise WebhookRefused(401, "invalid_signature", "The signature does not match the body.")

    def sent_at(self, request, payload: dict) -> datetime.datetime:
        sent = parse_time(payload.get("createdAt"), "createdAt")
        if sent is None:
            raise malformed("missing_timestamp", "The body has no createdAt time.")
        return sent

    def delivery_id(self, request, body: bytes, payload: dict) -> str:
        """The booking, the trigger and when Cal.com made the delivery: a retry is the same."""
        booking = payload.get("payload")
        uid = booking.get("uid") if isinstance(booking, dict) else None
        if not isinstance(uid, str) or not uid:
            return keyed_body_hash(self.provider, body)
        parts = [uid, str(payload.get("triggerEvent")), str(payload.get("createdAt"))]
        return hmac_hex(settings.SECRET_KEY, "\n".join(parts).encode())

    def parse(self, payload: dict) -> BookingEvent | None:
        trigger = payload.get("triggerEvent")
        if trigger == PING:
            return None
        if not isinstance(trigger, str) or trigger not in EVENTS:
            raise malformed(
                "unknown_event",
                "This webhook handles booking created, rescheduled and cancelled only.",
            )
        booking = payload.get("payload")
        if not isinstance(booking, dict):
            raise malformed("invalid_booking", "The body has no booking payload.")
        attendees = booking.get("attendees")
        if not isinstance(attendees, list) or not attendees or not isinstance(attendees[0], dict):
            raise malformed("invalid_booking", "The booking has no attendee.")
        # The first attendee is the person who booked; guests added by them are not stored.
        attendee = attendees[0]
        language = attendee.get("language")
        status = EVENTS[trigger]
        if status == CANCELLED and booking.get("requestReschedule") is True:
            # The organiser's "request reschedule": cancelled, with the attendee asked to rebook.
            status = RESCHEDULE_REQUESTED
        previous = booking.get("rescheduleUid") if status == RESCHEDULED else ""
        return booking_event(
            status=status,
            booking_id=booking.get("uid"),
            previous_booking_id=previous if previous != booking.get("uid") else "",
            name=attendee.get("name"),
            email=attendee.get("email"),
            phone=attendee_phone(booking),
            starts_at=booking.get("startTime"),
            ends_at=booking.get("endTime"),
            language=language.get("locale") if isinstance(language, dict) else "",
        )


def attendee_phone(booking: dict) -> str:
    """The phone the attendee gave: Cal.com puts it in the booking form's responses, not on
    `attendees[]` (created and rescheduled carry none there; cancelled has `phoneNumber: null`)."""
    responses = booking.get("responses")
    answer = responses.get("attendeePhoneNumber") if isinstance(responses, dict) else None
    value = answer.get("value") if isinstance(answer, dict) else answer
    return value if isinstance(value, str) else ""


def erase_attendee(target: ProcessorTarget) -> None:
    """Pass an erasure on to Cal.com (the erasure connector, processors/connectors.py).

    Cal.com's API can cancel a booking but not erase an attendee, so the erasure goes to
    CALCOM_ERASURE_URL (a relay, or a self-hosted Cal.com's own job), signed the way Cal.com signs
    its webhooks: `X-Cal-Signature-256` = HMAC-SHA256 of the body with the shared secret. Without
    it, staff delete the bookings by hand.
    """
    if not (target.emails or target.booking_ids):
        return
    if not (settings.CALCOM_ERASURE_URL and settings.CALCOM_WEBHOOK_SECRET):
        raise ManualStepNeeded(
            "No Cal.com erasure endpoint is configured (CALCOM_ERASURE_URL). Delete the listed "
            "bookings and the attendee by hand in Cal.com: Bookings > the booking > Delete."
        )
    body = json.dumps(
        {
            "triggerEvent": "ATTENDEE_ERASE",
            "attendees": list(target.emails),
            "bookingUids": list(target.booking_ids),
        }
    ).encode()
    response = send(
        "POST",
        settings.CALCOM_ERASURE_URL,
        recipient=PROVIDER,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, settings.CALCOM_WEBHOOK_SECRET),
        },
        body=body,
    )
    raise_for_status(response, "Cal.com erasure endpoint")


# Cal.com's API cannot change or restrict an attendee, and the erasure endpoint only erases, so a
# rectification or a restriction waits for staff: what to do is in the message, the person's
# identifiers and the corrected values are in the job.


def rectify_attendee(target: ProcessorTarget, changes: dict[str, str]) -> None:
    """Pass a rectification on to Cal.com: by hand (Art. 16, 19)."""
    if not (target.emails or target.booking_ids) or not changes:
        return
    raise ManualStepNeeded(
        f"Cal.com has no API to correct an attendee. Correct {', '.join(sorted(changes))} by "
        "hand in Cal.com: Bookings > each booking in this job's identifiers > the attendee, "
        "with the corrected values in this job's changes; then mark the job done."
    )


def restrict_attendee(target: ProcessorTarget) -> None:
    """Pass a restriction on to Cal.com: by hand (Art. 18, 19)."""
    if not (target.emails or target.booking_ids):
        return
    raise ManualStepNeeded(
        "Cal.com has no API to restrict an attendee. In Cal.com: Bookings > each booking in "
        "this job's identifiers > add the note 'Restricted (GDPR Art. 18): store only, no "
        "marketing, no export' and take the attendee out of any workflow other than the "
        "meeting itself; then mark the job done."
    )


INTEGRATION = Integration(
    key=PROVIDER,
    setting="CALCOM_WEBHOOK_SECRET",
    data_categories=("identity", "contact", "booking"),
    received_through=BOOKINGS,
    known_by=("emails", "phones", "booking_ids"),
    url_settings=("CALCOM_ERASURE_URL",),
    erase=erase_attendee,
    rectify=rectify_attendee,
    restrict=restrict_attendee,
    # The erasure endpoint's body: the attendee's addresses and the bookings' uids.
    what_it_holds=(
        "Cannot be asked here: no connector reads Cal.com's bookings (its API v2 could list them). "
        "Erasures reach it through the signing relay or staff (rights.ProcessorNotice)."
    ),
    sends={"triggerEvent": None, "attendees": "contact", "bookingUids": "booking"},
)
