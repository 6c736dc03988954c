"""Delivery events the email provider reports (a hard bounce, a spam complaint, an unsubscribe
through its own link): each suppresses the address as our own unsubscribe does, with the evidence.

Policy §8 (withdraw consent at any time) and the bulk senders' rules (stop mailing an address that
bounces or complains); conformance items EM-09, LEA-02. The webhook that receives them is
processors/email_events.py.
"""

import datetime

from django.db import transaction

from newsletter.models import Subscription, Suppression
from newsletter.services import end_subscription, suppress
from wekst.addresses import normalise_email

# What each kind of event says about the address, as a suppression reason.
BOUNCED, COMPLAINED, UNSUBSCRIBED = "hard_bounce", "spam", "unsubscribed"
REASONS = {
    BOUNCED: Suppression.Reason.BOUNCED,
    COMPLAINED: Suppression.Reason.COMPLAINED,
    UNSUBSCRIBED: Suppression.Reason.UNSUBSCRIBED,
}


def suppress_for_provider_event(
    *, email: str, event: str, provider: str, occurred_at: datetime.datetime
) -> str:
    """End any subscription of the address and keep a suppression entry naming the provider, the
    event and when it happened. Idempotent: an address already suppressed keeps its entry (and
    the evidence of what suppressed it first); returns "suppressed" or "already_suppressed"."""
    reason = REASONS[event]
    evidence = {"provider": provider, "event": event, "occurred_at": occurred_at}
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("subject")
            .filter(subject__email=normalise_email(email))
            .first()
        )
        if subscription is not None:
            created = end_subscription(subscription, reason=reason, evidence=evidence)
        else:
            created = suppress(email=email, reason=reason, evidence=evidence)
    return "suppressed" if created else "already_suppressed"
