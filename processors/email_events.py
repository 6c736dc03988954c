"""The email provider's delivery-event webhook (Brevo): hard bounces, spam complaints and
unsubscribes come back here and suppress the address (newsletter/provider_events.py).

Brevo signs nothing; a webhook is secured by basic auth or a token in its URL
(developers.brevo.com/docs/how-to-use-webhooks, "Secure webhook calls"). We use a secret token in
the URL, `/webhooks/brevo/<BREVO_WEBHOOK_TOKEN>/`, compared in constant time. Brevo posts one
event per call, a flat JSON object (developers.brevo.com/docs/transactional-webhooks and
/docs/marketing-webhooks): `event` ("hard_bounce", "spam", "unsubscribed"; the marketing
unsubscribe may say "unsubscribe"), `email`, `ts_event` (unix seconds, UTC), `message-id`, … Other
events (delivered, soft_bounce, opened, …) are acknowledged and nothing is stored.
"""

from __future__ import annotations

import datetime
import hmac
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from newsletter import provider_events
from processors.base import BookingWebhookView, WebhookRefused, malformed
from processors.email_provider import PROCESSOR

logger = logging.getLogger(__name__)

# Brevo's event names -> ours (newsletter/provider_events.py).
EVENTS = {
    "hard_bounce": provider_events.BOUNCED,
    "spam": provider_events.COMPLAINED,
    "unsubscribed": provider_events.UNSUBSCRIBED,
    "unsubscribe": provider_events.UNSUBSCRIBED,
}


def tokens_match(expected: str, given: str) -> bool:
    """Compare the URL's token in constant time, so timing reveals nothing about it."""
    return hmac.compare_digest(expected.encode(), given.encode())


def occurred_at(payload: dict) -> datetime.datetime:
    """When Brevo says the event happened (`ts_event`, else `ts`: unix seconds, UTC); when it
    reached us if it says neither. A time that is not a number of seconds is refused."""
    for name in ("ts_event", "ts"):
        value = payload.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise malformed("invalid_time", f"{name} is not a number of seconds.")
        try:
            return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            raise malformed("invalid_time", f"{name} is out of range.") from None
    return timezone.now()


@method_decorator(csrf_exempt, name="dispatch")
class BrevoEventWebhookView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, token: str) -> JsonResponse:
        expected = settings.BREVO_WEBHOOK_TOKEN
        try:
            if not expected:
                raise WebhookRefused(
                    503, "not_configured", "The email provider's webhook is switched off."
                )
            if not tokens_match(expected, token):
                raise WebhookRefused(401, "invalid_token", "The token does not match.")
            # The same bounds as the booking webhooks, before anything is parsed (SEC-03).
            payload = BookingWebhookView.load(BookingWebhookView.read_body(request))
            event = payload.get("event")
            if not isinstance(event, str) or not event:
                raise malformed("invalid_event", "The event is missing.")
            if event not in EVENTS:
                logger.info("Email provider event ignored: %s", event[:32])
                return JsonResponse({"status": "ignored"})
            email = payload.get("email")
            if not isinstance(email, str) or len(email) > 254:
                raise malformed("invalid_email", "The address is missing.")
            try:
                validate_email(email)
            except ValidationError:
                raise malformed("invalid_email", "The address is not valid.") from None
            when = occurred_at(payload)
        except WebhookRefused as refusal:
            # Never the body in the log: it holds the address.
            logger.warning("Email provider webhook refused with %s", refusal.reason)
            return JsonResponse(
                {"error": refusal.reason, "message": refusal.message}, status=refusal.status
            )
        outcome = provider_events.suppress_for_provider_event(
            email=email, event=EVENTS[event], provider=PROCESSOR, occurred_at=when
        )
        logger.info("Email provider event %s: %s", EVENTS[event], outcome)
        return JsonResponse({"status": outcome})
