"""The one base view every booking provider's webhook uses, and the event it turns payloads into.

A provider module (trafft.py, calcom.py) says only how its deliveries are verified, when they were
sent, and how its payload reads; everything else (the missing-secret refusal, the bounds on a body
before it is parsed, the late-delivery flag, replay protection, the JSON errors and the log lines)
is written and tested once here (django-anymail's layout; LEA-03, EM-11, SEC-03).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from processors import services
from processors.selectors import integration_enabled

logger = logging.getLogger(__name__)

BOOKED, RESCHEDULED, CANCELLED = "booked", "rescheduled", "cancelled"
RESCHEDULE_REQUESTED, NO_SHOW = "reschedule_requested", "no_show"

# Bounds checked before a body is parsed (SEC-03): a booking delivery is a few kilobytes, so a
# larger or deeper body is refused as malformed instead of costing memory or the parser's stack.
MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 16

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_DELIVERY_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


@dataclass(frozen=True)
class BookingEvent:
    """What a provider told us about one booking, in no provider's words."""

    status: str  # BOOKED, RESCHEDULED or CANCELLED
    booking_id: str
    name: str
    email: str
    phone: str = ""
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    previous_booking_id: str = ""
    language: str = ""


class WebhookRefused(Exception):
    """A call that is not applied: answered with `status` and a short JSON error, and logged."""

    def __init__(self, status: int, reason: str, message: str):
        super().__init__(reason)
        self.status, self.reason, self.message = status, reason, message


def malformed(reason: str, message: str) -> WebhookRefused:
    return WebhookRefused(400, reason, message)


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def nesting_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without parsing it.

    Brackets inside strings are skipped; the count stops as soon as it passes MAX_DEPTH, so a
    body of 100,000 `[` costs a few steps and never reaches the parser's recursion.
    """
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def signatures_match(expected: str, given: str) -> bool:
    """Compare two hex signatures in constant time, so timing reveals nothing about the secret."""
    return hmac.compare_digest(expected.lower().encode(), given.strip().lower().encode())


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def keyed_body_hash(provider: str, body: bytes) -> str:
    """A delivery id for providers that send none: the same body is the same delivery.

    Keyed with the site's secret so that the stored id cannot be matched against a guessed body.
    """
    return hmac_hex(settings.SECRET_KEY, provider.encode() + b"\n" + body)


def single_line(value: Any, max_length: int) -> str:
    """Text from a payload as one clean line: control characters (header injection) removed."""
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise malformed("invalid_booking", "A booking field has the wrong type.")
    return " ".join(_CONTROL.sub(" ", str(value)).split())[:max_length]


def parse_time(value: Any, field: str) -> datetime.datetime | None:
    """An ISO 8601 time from a payload; a time without offset is taken in the site's time zone."""
    if value in (None, ""):
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except (ValueError, OverflowError):
        parsed = None  # well formed but impossible: month 13, year 10000
    if parsed is None:
        raise malformed("invalid_booking", f"The booking's {field} is not an ISO 8601 time.")
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        parsed.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise malformed("invalid_booking", f"The booking's {field} is out of range.") from None
    return parsed


def booking_event(
    *,
    status: str,
    booking_id: Any,
    name: Any,
    email: Any,
    phone: Any = "",
    starts_at: Any = None,
    ends_at: Any = None,
    previous_booking_id: Any = "",
    language: Any = "",
) -> BookingEvent:
    """Validate what a provider module read and build the event; only declared fields are kept."""
    booking_id = single_line(booking_id, 128)
    if not booking_id:
        raise malformed("invalid_booking", "The booking has no id.")
    email = single_line(email, 254)
    try:
        validate_email(email)
    except ValidationError:
        raise malformed("invalid_booking", "The booking has no valid email address.") from None
    language = single_line(language, 8).lower()
    return BookingEvent(
        status=status,
        booking_id=booking_id,
        name=single_line(name, 200),
        email=email,
        phone=single_line(phone, 32),
        starts_at=parse_time(starts_at, "start time"),
        ends_at=parse_time(ends_at, "end time"),
        previous_booking_id=single_line(previous_booking_id, 128),
        language=language if language in dict(settings.LANGUAGES) else "",
    )


@method_decorator(csrf_exempt, name="dispatch")
class BookingWebhookView(View):
    """Receive one booking provider's webhook: verify, refuse or apply once, answer in JSON.

    Refusals: 503 when no secret is configured (the provider is switched off) or the provider's
    agreement or transfer safeguard is not on record (PRO-02), 401 when the signature or token
    is missing or wrong (or the delivery is dated in the future), 400 when the body is too large,
    too deep, not the JSON we expect or names an event we do not handle. A refused call stores
    nothing and is logged without its content. A repeated delivery is acknowledged with 200 and
    not applied again; a late one is applied and flagged.
    """

    http_method_names = ["post"]
    provider: str = ""
    signature_header: str = ""  # the request header that carries the provider's signature
    # The provider sends no delivery id: delivery_id is the state a delivery reports
    # (services.receive_booking_delivery).
    deliveries_known_by_state = False

    # What each provider module supplies.
    def shared_secret(self) -> str:
        """The secret shared with the provider (from settings); empty means switched off."""
        raise NotImplementedError

    def verify_signature(self, request: HttpRequest, body: bytes, secret: str) -> None:
        raise NotImplementedError

    def signature(self, request: HttpRequest) -> str:
        """The signature header's value; a 401 refusal when the provider sent none."""
        value = request.headers.get(self.signature_header, "")
        if not value:
            raise WebhookRefused(
                401, "missing_signature", f"The {self.signature_header} header is missing."
            )
        return value

    def sent_at(self, request: HttpRequest, payload: dict) -> datetime.datetime:
        raise NotImplementedError

    def parse(self, payload: dict) -> BookingEvent | None:
        """The booking event in the payload; None for a call to acknowledge only (a ping)."""
        raise NotImplementedError

    def delivery_id(self, request: HttpRequest, body: bytes, payload: dict) -> str:
        return keyed_body_hash(self.provider, body)

    def post(self, request: HttpRequest, **kwargs) -> JsonResponse:
        secret = self.shared_secret()
        if not secret:
            return self.refuse(
                WebhookRefused(
                    503,
                    "not_configured",
                    f"The {self.provider} webhook is switched off: no shared secret is configured.",
                )
            )
        if not integration_enabled(self.provider):
            # No agreement or transfer safeguard on record for the provider (PRO-02): nothing it
            # sends is accepted, whatever the settings say. The back office says what is missing.
            return self.refuse(
                WebhookRefused(
                    503,
                    "not_on_record",
                    f"The {self.provider} webhook is switched off: the provider's data "
                    "processing agreement or transfer safeguard is not on record.",
                )
            )
        try:
            body = self.read_body(request)
            self.verify_signature(request, body, secret)
            payload = self.load(body)
            self.verify_payload(payload, secret)
            sent_at = self.sent_at(request, payload)
            late = self.check_fresh(sent_at)
            delivery_id = self.delivery_id(request, body, payload)
            if not _DELIVERY_ID.match(delivery_id):
                raise malformed("invalid_delivery_id", "The delivery id is not valid.")
            event = self.parse_safely(payload)
        except WebhookRefused as refusal:
            return self.refuse(refusal)
        outcome = services.receive_booking_delivery(
            provider=self.provider,
            delivery_id=delivery_id,
            event=event,
            sent_at=sent_at,
            late=late,
            known_by_state=self.deliveries_known_by_state,
        )
        if late:
            # Cal.com queues and retries: a genuine delivery may arrive long after it was made.
            # It is applied (ordering by its own time keeps an older one from rolling a meeting
            # back) and flagged, so staff can see how late the provider's deliveries run.
            logger.warning("Webhook %s from %s arrived late", delivery_id[:16], self.provider)
        logger.info("Webhook %s from %s: %s", delivery_id[:16], self.provider, outcome)
        return JsonResponse({"status": outcome})

    def verify_payload(self, payload: dict, secret: str) -> None:
        """A second check on the parsed body, for providers that put the credential there."""

    def parse_safely(self, payload: dict) -> BookingEvent | None:
        """parse(), with any surprise in a verified but hostile payload answered 400, never 500."""
        try:
            return self.parse(payload)
        except WebhookRefused:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError):
            raise malformed("invalid_booking", "The booking could not be read.") from None

    @staticmethod
    def read_body(request: HttpRequest) -> bytes:
        """The raw body, refused unread when its declared length is over MAX_BODY_BYTES."""
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > MAX_BODY_BYTES:
            raise malformed("body_too_large", "The body is larger than a booking can be.")
        body = request.body
        if len(body) > MAX_BODY_BYTES:
            raise malformed("body_too_large", "The body is larger than a booking can be.")
        return body

    @staticmethod
    def load(body: bytes) -> dict:
        if nesting_depth(body) > MAX_DEPTH:
            raise malformed("malformed_json", "The body is nested too deeply.")
        try:
            payload = json.loads(body, parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            # ValueError covers JSONDecodeError, NaN/Infinity and integers over Python's
            # digit limit; RecursionError cannot happen below MAX_DEPTH but must never be a 500.
            raise malformed("malformed_json", "The body is not valid JSON.") from None
        if not isinstance(payload, dict):
            raise malformed("malformed_json", "The body must be a JSON object.")
        try:
            # Valid JSON may still spell half a character (a lone "\ud800" escape), which no
            # text of ours can hold: hashing or storing it was a 500.
            json.dumps(payload, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise malformed("malformed_json", "The body holds text that is not Unicode.") from None
        return payload

    @staticmethod
    def check_fresh(sent_at: datetime.datetime) -> bool:
        """True when the delivery is late (sent more than the tolerance ago): accepted, flagged.

        A time further ahead than the tolerance is refused: no genuine delivery is from the
        future, and accepting one would let it overrule every event after it.
        """
        tolerance = datetime.timedelta(seconds=settings.WEBHOOK_TOLERANCE_SECONDS)
        age = timezone.now() - sent_at
        if age < -tolerance:
            raise WebhookRefused(401, "stale", "The delivery is dated in the future.")
        return age > tolerance

    def refuse(self, refusal: WebhookRefused) -> JsonResponse:
        # The log names the provider and the reason only: never the body, which holds personal data.
        logger.warning(
            "Webhook from %s refused with %s: %s", self.provider, refusal.status, refusal.reason
        )
        return JsonResponse(
            {"error": refusal.reason, "message": refusal.message}, status=refusal.status
        )
