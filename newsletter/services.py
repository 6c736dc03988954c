"""Newsletter actions: sign-up with double opt-in, confirmation, unsubscribe, sending an issue.

Policy §3a and §4 (newsletter on consent, Art. 6(1)(a)), §7 (kept until you unsubscribe), §8
(withdraw consent at any time); conformance items LEA-02, LEA-06, RIG-05.
"""

from django.conf import settings
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from declaration.selectors import get_declaration
from mail.models import OutgoingEmail
from mail.services import cancel_unsent_email, queue_email
from newsletter.models import Delivery, Issue, Subscription, Suppression
from newsletter.selectors import (
    get_subscription_by_confirmation_token,
    recipients_of,
)
from newsletter.tokens import address_digests, hash_token, looks_like_token, new_token
from subjects.services import get_or_create_subject
from wekst.addresses import normalise_email

# The declared activity every newsletter email serves, and the rule that ends an unconfirmed
# sign-up (declaration.yaml).
ACTIVITY = "newsletter"
UNCONFIRMED_SIGNUP_RULE = "unconfirmed_signup"
SOURCE_NEWSLETTER_FORM = "newsletter_form"
# Subscriptions queued per transaction when an issue is sent: a restart loses at most one
# uncommitted batch, which the resumed task queues again.
SEND_BATCH_SIZE = 200
NAME_MAX_LENGTH = Subscription._meta.get_field("name").max_length


class LinkInvalid(Exception):
    """A confirmation link that is unknown or was already used."""


class LinkExpired(LinkInvalid):
    """A confirmation link used after the declared period for unconfirmed sign-ups."""


def _absolute_url(path: str) -> str:
    return f"{settings.WEKST_SITE_URL}{path}"


def _site_language(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def start_subscription(
    *, email: str, name: str, source: str, consent_wording: str, language: str
) -> Subscription:
    """Store (or re-use) an unconfirmed subscription with its proof and send the confirmation.

    The proof is what Art. 7(1) asks the controller to show: the time, the policy version in
    force (declaration.current), the exact wording shown, its language and where it was shown.
    A new sign-up for an unconfirmed address renews the proof and sends a new link (the old one
    stops working); a confirmed subscription is returned unchanged and nothing is sent.

    A suppressed address (it unsubscribed or objected, Art. 21(3)) stays suppressed: it gets the
    confirmation link it asked for and nothing else, and only the person's own confirmation lifts
    the suppression (consent can always be given again; an objection is never overridden by
    anyone else). Callers show the same page in every case, so no one learns whether an address
    is known.
    Raises ValidationError for an invalid address.
    """
    email = normalise_email(email)
    validate_email(email)
    # A name never reaches a header, but it is one line: CR/LF and runs of spaces become one.
    name = " ".join(name.split())[:NAME_MAX_LENGTH]
    language = _site_language(language)
    now = timezone.now()
    proof = {
        "name": name,
        "source": source,
        "signed_up_at": now,
        "policy_version": get_declaration().current.version,
        "consent_wording": consent_wording,
        "language": language,
    }
    with transaction.atomic():
        # The person's row, locked until the end (a new one by its insert): concurrent sign-ups
        # for one address wait here, so there is one subscription; a person erased meanwhile is
        # added again, not missing (a 500).
        subject, _new = get_or_create_subject(email=email, lock=True)
        # Locked too: a confirmation committed meanwhile is read, not written over with
        # "unconfirmed" (the person was shown "confirmed" and their link was spent).
        subscription = Subscription.objects.select_for_update().filter(subject=subject).first()
        if subscription is not None and subscription.status == Subscription.Status.CONFIRMED:
            return subscription
        if subscription is None:
            subscription = Subscription(subject=subject, unsubscribe_token=new_token())
        for field, value in proof.items():
            setattr(subscription, field, value)
        token = new_token()
        rule = get_declaration().retention_rules[UNCONFIRMED_SIGNUP_RULE]
        subscription.confirmation_token_hash = hash_token(token)
        subscription.confirmation_expires_at = rule.expires_after(now)
        subscription.save()
        _queue_confirmation_email(subscription=subscription, token=token)
    return subscription


def _queue_confirmation_email(*, subscription: Subscription, token: str) -> None:
    with translation.override(subscription.language):
        confirm_url = _absolute_url(reverse("newsletter:confirm", kwargs={"token": token}))
        subject_line = gettext("Confirm your subscription to the Wekst newsletter")
        body = render_to_string(
            "newsletter/email/confirmation.txt",
            {
                "confirm_url": confirm_url,
                "expires_at": subscription.confirmation_expires_at,
                "retention": get_declaration().retention_rules[UNCONFIRMED_SIGNUP_RULE],
                "controller": get_declaration().controller,
            },
        )
    queue_email(
        to=subscription.subject.email,
        subject_line=subject_line,
        body=body,
        purpose=ACTIVITY,
        subject=subscription.subject,
    )


def confirm_subscription(*, token: str) -> Subscription:
    """Confirm the sign-up a link belongs to (double opt-in, LEA-02); the link works once.

    Raises LinkExpired after the declared period for unconfirmed sign-ups, LinkInvalid for an
    unknown or used link.
    """
    with transaction.atomic():
        found = get_subscription_by_confirmation_token(token=token)
        # Locked and read again: of two clicks at once, only one confirms.
        subscription = found and (
            Subscription.objects.select_for_update()
            .filter(
                pk=found.pk,
                status=Subscription.Status.UNCONFIRMED,
                confirmation_token_hash=found.confirmation_token_hash,
            )
            .first()
        )
        if subscription is None:
            raise LinkInvalid
        now = timezone.now()
        if subscription.confirmation_expires_at <= now:
            raise LinkExpired
        subscription.status = Subscription.Status.CONFIRMED
        subscription.confirmed_at = now
        # The person asked again and confirmed from the mailbox: their new consent replaces the
        # earlier unsubscribe or objection.
        Suppression.objects.filter(
            address_digest__in=address_digests(subscription.subject.email)
        ).delete()
        subscription.confirmation_token_hash = ""
        subscription.confirmation_expires_at = None
        subscription.save(
            update_fields=[
                "status",
                "confirmed_at",
                "confirmation_token_hash",
                "confirmation_expires_at",
            ]
        )
    return subscription


def unsubscribe(*, token: str) -> bool:
    """Withdraw consent through an unsubscribe link (RFC 8058 one-click; policy §8).

    Idempotent: False when the link belongs to no subscription (already unsubscribed, or never
    valid), and nothing changes.
    """
    if not looks_like_token(token):
        return False
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("subject")
            .filter(unsubscribe_token=token)
            .first()
        )
        if subscription is None:
            return False
        end_subscription(subscription, reason=Suppression.Reason.UNSUBSCRIBED)
    return True


def record_objection_to_marketing(*, email: str) -> None:
    """An objection to direct marketing (Art. 21(2)-(3)): absolute, and it survives erasure.

    Ends any subscription of the address at once and keeps a suppression entry, whether or not
    the address was subscribed. For the privacy portal and staff (RIG-05).
    """
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("subject")
            .filter(subject__email=normalise_email(email))
            .first()
        )
        if subscription is not None:
            end_subscription(subscription, reason=Suppression.Reason.OBJECTED)
        else:
            suppress(email=email, reason=Suppression.Reason.OBJECTED)


def end_subscription(
    subscription: Subscription, *, reason: str, evidence: dict | None = None
) -> bool:
    """Stop all mail at once, then keep only a suppression entry (retention `until_unsubscribe`).

    Newsletter emails already queued but not yet sent are deleted, so the mail worker finds
    nothing to send; an email the worker is sending at this moment holds its row lock, so this
    waits for it and leaves it (it was sent). Deliveries keep no link to the person.
    """
    pending = [OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.RETRYING]
    subscription.deliveries.filter(email__status__in=pending).update(
        status=Delivery.Status.CANCELLED
    )
    cancel_unsent_email(subject=subscription.subject, purpose=ACTIVITY)
    created = suppress(email=subscription.subject.email, reason=reason, evidence=evidence)
    subscription.delete()
    return created


def suppress(*, email: str, reason: str, evidence: dict | None = None) -> bool:
    """Keep a suppression entry for the address (True when new); `evidence` names the provider,
    the event and when it happened when the provider reported it (newsletter/provider_events.py)."""
    digests = address_digests(email)
    if Suppression.objects.filter(address_digest__in=digests).exists():
        return False
    evidence = evidence or {}
    _entry, created = Suppression.objects.get_or_create(
        address_digest=digests[0],
        defaults={
            "reason": reason,
            "provider": evidence.get("provider", ""),
            "provider_event": evidence.get("event", ""),
            "provider_event_at": evidence.get("occurred_at"),
        },
    )
    return created


def unsubscribe_url(subscription: Subscription) -> str:
    """The absolute one-click unsubscribe URL (RFC 8058 needs one absolute HTTPS URI)."""
    with translation.override(subscription.language):
        path = reverse("newsletter:unsubscribe", kwargs={"token": subscription.unsubscribe_token})
    return _absolute_url(path)


def start_sending_issue(*, issue_id: int) -> bool:
    """Send an issue to every confirmed subscriber, in the background; also resumes a send.

    A draft starts sending; an issue still sending (its worker stopped half way) is queued
    again and carries on where it stopped. False for an issue already sent.
    """
    from newsletter.tasks import send_issue as send_issue_task

    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status == Issue.Status.SENT:
            return False
        if issue.status == Issue.Status.DRAFT:
            issue.status = Issue.Status.SENDING
            issue.send_started_at = timezone.now()
            issue.save(update_fields=["status", "send_started_at"])
        send_issue_task.enqueue(issue.pk)
    return True


def send_issue(*, issue_id: int) -> int:
    """Queue the issue's email for every confirmed subscriber not yet queued; mark it sent.

    Survives a restart half way: each batch records its Delivery rows and queues their emails
    in one transaction, and a rerun queues only subscriptions without a Delivery, so each
    subscriber gets the issue once. Returns how many emails this run queued.
    """
    queued = 0
    while (count := _queue_next_batch(issue_id=issue_id)) is not None:
        queued += count
    return queued


def _queue_next_batch(*, issue_id: int) -> int | None:
    """Queue one batch; None once there is nothing left (and the issue is marked sent)."""
    with transaction.atomic():
        # Two workers on one issue take turns here, so neither queues a subscriber twice.
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status != Issue.Status.SENDING:
            return None
        batch = list(
            recipients_of(issue)
            .select_for_update(of=("self",))
            .select_related("subject")[:SEND_BATCH_SIZE]
        )
        if not batch:
            issue.status = Issue.Status.SENT
            issue.sent_at = timezone.now()
            issue.save(update_fields=["status", "sent_at"])
            return None
        # Checked before every send (EM-09): suppressed addresses get nothing.
        digests = {s.pk: address_digests(s.subject.email) for s in batch}
        suppressed = set(
            Suppression.objects.filter(
                address_digest__in=[d for ds in digests.values() for d in ds]
            ).values_list("address_digest", flat=True)
        )
        for subscription in batch:
            if suppressed.intersection(digests[subscription.pk]):
                Delivery.objects.create(
                    issue=issue, subscription=subscription, status=Delivery.Status.CANCELLED
                )
                continue
            email = _queue_issue_email(issue=issue, subscription=subscription)
            Delivery.objects.create(issue=issue, subscription=subscription, email=email)
    return len(batch)


def _queue_issue_email(*, issue: Issue, subscription: Subscription) -> OutgoingEmail:
    """One newsletter email: plain text, no tracking pixel or tracked links (LEA-06), with the
    unsubscribe link in the body and the RFC 8058 headers, and the right to object set apart
    (Art. 21(4))."""
    url = unsubscribe_url(subscription)
    with translation.override(subscription.language):
        body = render_to_string(
            "newsletter/email/issue.txt",
            {
                "issue": issue,
                "unsubscribe_url": url,
                "controller": get_declaration().controller,
            },
        )
    return queue_email(
        to=subscription.subject.email,
        subject_line=issue.subject_line,
        body=body,
        purpose=ACTIVITY,
        subject=subscription.subject,
        headers={
            "List-Unsubscribe": _list_unsubscribe(subscription=subscription),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _list_unsubscribe(*, subscription: Subscription) -> str:
    """The List-Unsubscribe value: the one-click HTTPS URL, then a mailto: for clients without
    one-click (RFC 2369 §3.2, RFC 8058 §3.1).

    Nothing reads that mailbox automatically: staff read it, and the subject carries the
    subscription's unsubscribe token so they can act on it (docs/email-delivery.md). An empty
    NEWSLETTER_UNSUBSCRIBE_MAILTO leaves the mailto out.
    """
    url = unsubscribe_url(subscription)
    mailto = settings.NEWSLETTER_UNSUBSCRIBE_MAILTO
    if mailto is None:
        mailto = get_declaration().controller.email
    if not mailto:
        return f"<{url}>"
    return f"<{url}>, <mailto:{mailto}?subject=unsubscribe%20{subscription.unsubscribe_token}>"
