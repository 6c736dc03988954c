"""Trafft, the booking provider named in the policy: its webhooks as Trafft sends them, and its
API v2 for passing on an erasure or a correction (booking from our page: trafft_booking.py).

Trafft sends one webhook per event type to a URL of its own (`/webhooks/trafft/<event>/`), with
a flat JSON body (`appointmentStatus`, `appointmentStartDateTime`, `customerEmail`, …) and a
static verification token in the `Authorization` header: no signature, no timestamp, no
delivery id, and (as documented) no appointment id. So the token is compared in constant time,
the appointment is known by a key derived from what the body carries, and a delivery by that key
with the status and start time it reports (docs/booking-webhooks.md; ../shared/providers.md).

Erasure and rectification go through Trafft's API v2 (base TRAFFT_API_URL,
`https://<subdomain>.trafft.com/api/v2`), with OAuth2 client credentials:

    POST   {base}/token              grant_type=client_credentials&client_id=…&client_secret=…
    GET    {base}/customers?page=&limit=    {"data": [...], "pagination": {"pages", …}}
    DELETE {base}/customers/{id}     (erasure)
    PATCH  {base}/customers/{id}     {"first_name", "last_name", "email", "phone"} (correction)

Trafft has no search: the customer is found by paging through the list (at most
MAX_PAGES pages) and matching the address. A customer Trafft does not hold is done.
Trafft has no API to restrict a customer: a restriction waits for staff.
"""

import datetime
import hmac
import time
from urllib.parse import urlencode

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
from processors.connectors import (
    ConnectorFailed,
    ManualStepNeeded,
    ProcessorTarget,
    Response,
    raise_for_status,
    send,
)
from processors.integration import BOOKINGS, Integration

PROVIDER = "trafft"
VERIFICATION_HEADER = "Authorization"
# Customers asked for per page, and the most pages read to find one (Trafft has no search): a
# bound, so a huge or looping list cannot keep a worker busy; past it staff are asked.
PAGE_LIMIT = 100
MAX_PAGES = 50
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
    deliveries_known_by_state = True

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
        """The appointment, its status and its start time: the same state again is a repeat
        while the meeting is still in it (deliveries_known_by_state)."""
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
        if given and given not in STATUSES:
            raise malformed("invalid_booking", "The appointment's status is not one Trafft uses.")
        if event == CANCELED_EVENT:
            status = CANCELLED
        elif event == RESCHEDULED_EVENT:
            status = RESCHEDULED if STATUSES.get(given, BOOKED) == BOOKED else STATUSES[given]
        elif given:
            status = STATUSES[given]
        elif event == BOOKED_EVENT:
            status = BOOKED
        else:
            raise malformed("invalid_booking", "The appointment's status is missing.")
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


# The API v2 token, kept until shortly before it expires: (token, expires at, the credentials it
# was issued for). One per process; a 401 clears it and asks once more.
_token: tuple[str, float, tuple[str, str, str]] | None = None


def _credentials() -> tuple[str, str, str]:
    return (settings.TRAFFT_API_URL, settings.TRAFFT_CLIENT_ID, settings.TRAFFT_CLIENT_SECRET)


def api_configured() -> bool:
    return all(_credentials())


def _access_token(*, fresh: bool = False) -> str:
    global _token
    credentials = _credentials()
    if not fresh and _token and _token[2] == credentials and _token[1] > time.monotonic():
        return _token[0]
    base, client_id, client_secret = credentials
    response = send(
        "POST",
        f"{base}/token",
        recipient=PROVIDER,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        body=urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
            }
        ).encode(),
    )
    raise_for_status(response, "Trafft token")
    try:
        answer = response.json()
        token, expires_in = str(answer["access_token"]), int(answer.get("expires_in") or 3600)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ConnectorFailed(f"Trafft token: not a token ({error})") from error
    # A minute's margin, so a token is never sent in the second it expires.
    _token = (token, time.monotonic() + max(expires_in - 60, 0), credentials)
    return token


def api_call(
    method: str, path: str, *, payload: dict | None = None, timeout: float = 10
) -> Response:
    """One API v2 call with the bearer token; on a 401 the token is asked for again, once. The
    erasure connectors and the booking page (processors.trafft_booking) share it and its token."""
    for fresh in (False, True):
        response = send(
            method,
            f"{settings.TRAFFT_API_URL}{path}",
            recipient=PROVIDER,
            headers={
                "Authorization": f"Bearer {_access_token(fresh=fresh)}",
                "Accept": "application/json",
            },
            payload=payload,
            timeout=timeout,
        )
        if response.status != 401:
            break
    return response


def find_customer_ids(
    emails: tuple[str, ...], *, max_pages: int | None = None, timeout: float = 10
) -> list[str]:
    """The ids of Trafft's customers with one of these addresses, found by paging through the
    customer list (Trafft has no search). ManualStepNeeded past `max_pages` (MAX_PAGES) pages."""
    max_pages = max_pages or MAX_PAGES
    wanted = {email.strip().lower() for email in emails}
    found: list[str] = []
    page = 1
    while True:
        query = urlencode({"page": page, "limit": PAGE_LIMIT})
        response = api_call("GET", f"/customers?{query}", timeout=timeout)
        raise_for_status(response, "Trafft customer list")
        try:
            answer = response.json()
            customers = [c for c in answer.get("data") or [] if isinstance(c, dict)]
            pages = int((answer.get("pagination") or {}).get("pages") or 1)
        except (ValueError, AttributeError, TypeError) as error:
            raise ConnectorFailed(f"Trafft customer list: not a list ({error})") from error
        found += [
            str(c["id"])
            for c in customers
            if str(c.get("email") or "").strip().lower() in wanted and c.get("id") is not None
        ]
        if page >= pages or not customers:
            return found
        if page >= max_pages:
            raise ManualStepNeeded(
                f"Trafft holds more than {max_pages * PAGE_LIMIT} customers and has no search: "
                "find the customer by hand in Trafft (Customers > search the address in this "
                "job's identifiers) and act there; then mark the job done."
            )
        page += 1


def erase_customer(target: ProcessorTarget) -> None:
    """Pass an erasure on to Trafft (Art. 17, 19): delete the customer with the person's address
    through API v2. Its appointments are the customer's and go with it. Without API credentials,
    staff do it by hand."""
    if not (target.emails or target.booking_ids):
        return
    if not (api_configured() and target.emails):
        raise ManualStepNeeded(
            "Trafft's API is not configured (TRAFFT_API_URL, TRAFFT_CLIENT_ID, "
            "TRAFFT_CLIENT_SECRET). Delete the customer and the listed appointments by hand in "
            "Trafft: Customers > the customer > Delete."
        )
    for customer_id in find_customer_ids(target.emails):
        response = api_call("DELETE", f"/customers/{customer_id}")
        raise_for_status(response, "Trafft customer deletion", done_statuses=(404,))


def customer_changes(changes: dict[str, str]) -> dict[str, str]:
    """Trafft's customer fields for the corrected values it holds: only those corrected."""
    fields = {}
    if "name" in changes:
        # Trafft splits a name in two; the last word is taken as the family name.
        first, _, last = changes["name"].strip().rpartition(" ")
        fields["first_name"], fields["last_name"] = (first, last) if first else (last, "")
    if "email" in changes:
        fields["email"] = changes["email"]
    if "phone" in changes:
        fields["phone"] = changes["phone"]
    return fields


def rectify_customer(target: ProcessorTarget, changes: dict[str, str]) -> None:
    """Pass a rectification on to Trafft (Art. 16, 19): correct the customer's name, address and
    phone through API v2; what Trafft does not hold (company, role) is not sent."""
    if not (target.emails or target.booking_ids) or not changes:
        return
    fields = customer_changes(changes)
    if not fields:
        return
    if not (api_configured() and target.emails):
        raise ManualStepNeeded(
            f"Trafft's API is not configured (TRAFFT_API_URL, TRAFFT_CLIENT_ID, "
            f"TRAFFT_CLIENT_SECRET). Correct {', '.join(sorted(changes))} by hand in Trafft: "
            "Customers > search the address in this job's identifiers > Edit, with the "
            "corrected values in this job's changes; then mark the job done."
        )
    for customer_id in find_customer_ids(target.emails):
        response = api_call("PATCH", f"/customers/{customer_id}", payload=fields)
        raise_for_status(response, "Trafft customer correction", done_statuses=(404,))


def restrict_customer(target: ProcessorTarget) -> None:
    """Pass a restriction on to Trafft: by hand, since its API has nothing for it (Art. 18, 19)."""
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
    url_settings=("TRAFFT_API_URL",),
    erase=erase_customer,
    rectify=rectify_customer,
    restrict=restrict_customer,
    what_it_holds=(
        "Not asked by the reconciliation: Trafft's customer list has no search or date, so "
        "erasures reach it through its API v2 or staff (rights.ProcessorNotice); beyond that it "
        "relies on Trafft deleting what we erase there."
    ),
    # API v2: the token request (our own credentials), the customer list's paging, a
    # correction's fields, and a booking from our page (processors.trafft_booking): the free
    # times of our service, the customer, the booking of a time. A customer is named by Trafft's
    # own id in the URL, or in a booking's `customer`.
    sends={
        "service": None,
        "employee": None,
        "customer": "booking",
        "date": "booking",
        "time": "booking",
        "grant_type": None,
        "client_id": None,
        "client_secret": None,
        "page": None,
        "limit": None,
        "first_name": "identity",
        "last_name": "identity",
        "email": "contact",
        "phone": "contact",
    },
)
