"""Reading newsletter state: link tokens, who an issue goes to, suppression, due erasures."""

import datetime
import enum

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from newsletter.models import Delivery, Issue, Subscription, Suppression
from newsletter.tokens import address_digests, hash_token, looks_like_token
from subjects import stops

# Local parts of shared mailboxes rather than a person's (LEA-06: role addresses are flagged).
ROLE_LOCAL_PARTS = frozenset(
    "admin booking contact firmapost hello info kontakt mail office post postmottak resepsjon "
    "sales salg support team".split()
)


class LinkState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"  # unknown, already used, or malformed


def _usable(token: str) -> bool:
    return looks_like_token(token)


def get_subscription_by_confirmation_token(*, token: str) -> Subscription | None:
    """The unconfirmed subscription a confirmation link belongs to (a used link finds none)."""
    if not _usable(token):
        return None
    return Subscription.objects.filter(
        confirmation_token_hash=hash_token(token), status=Subscription.Status.UNCONFIRMED
    ).first()


def confirmation_link_state(*, token: str, now: datetime.datetime | None = None) -> LinkState:
    subscription = get_subscription_by_confirmation_token(token=token)
    if subscription is None:
        return LinkState.INVALID
    if subscription.confirmation_expires_at <= (now or timezone.now()):
        return LinkState.EXPIRED
    return LinkState.VALID


def get_subscription_by_unsubscribe_token(*, token: str) -> Subscription | None:
    if not _usable(token):
        return None
    return Subscription.objects.filter(unsubscribe_token=token).first()


def is_suppressed(*, email: str) -> bool:
    """Whether the address unsubscribed or objected: then it is never signed up or mailed again."""
    return Suppression.objects.filter(address_digest__in=address_digests(email)).exists()


def is_role_address(email: str) -> bool:
    """A shared mailbox (post@, info@, …) rather than a named person's address."""
    return email.partition("@")[0].strip().lower() in ROLE_LOCAL_PARTS


def recipients_of(issue: Issue) -> QuerySet[Subscription]:
    """Confirmed subscriptions the issue has not been queued for yet (LEA-06: confirmed only).

    Only those confirmed before sending started, so a long send has a fixed audience. A subject
    under a restriction or objection gets no marketing email while it is in force (RIG-05).
    """
    already = Delivery.objects.filter(issue=issue, subscription=OuterRef("pk"))
    return (
        Subscription.objects.filter(
            status=Subscription.Status.CONFIRMED, confirmed_at__lte=issue.send_started_at
        )
        .exclude(Exists(already))
        .exclude(subject_id__in=stops.restricted_subject_ids())
        .order_by("pk")
    )


def unconfirmed_signups_due_for_erasure(
    *, now: datetime.datetime | None = None
) -> QuerySet[Subscription]:
    """Sign-ups not confirmed within the declared period (retention rule `unconfirmed_signup`).

    Their link expires at the end of that period (set from the rule at sign-up), so they never
    receive anything; the retention sweep deletes them.
    """
    return Subscription.objects.filter(
        status=Subscription.Status.UNCONFIRMED,
        confirmation_expires_at__lte=now or timezone.now(),
    )


def people_told_of_policy_changes(*, cutoff: datetime.datetime) -> list[tuple[int, str]]:
    """Confirmed subscribers by `cutoff` in the language they chose (declaration.audiences;
    TP-05): an unconfirmed sign-up never became a subscription."""
    subscribers = Subscription.objects.filter(
        status=Subscription.Status.CONFIRMED, confirmed_at__lte=cutoff
    )
    return list(subscribers.values_list("subject_id", "language"))
