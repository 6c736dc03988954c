"""Demo leads, meetings, subscribers, registered members, comments and privacy requests, made
through the services.

Every person's address is on a reserved domain (.invalid or example.com, RFC 2606), so nothing
queued to them can reach anyone. Each builder is skipped when its first record exists, so loading
twice duplicates nothing.
"""

import datetime

from django.contrib.auth import get_user_model

from content.models import Article, Comment
from content.services import post_comment, register_user
from leads.meetings import record_booking
from leads.models import Lead, Meeting
from leads.other_sources import enter_lead_from_other_source
from leads.services import submit_enquiry
from newsletter import services as newsletter
from newsletter.models import Subscription
from newsletter.tokens import hash_token, new_token
from rights.models import Request
from rights.services.closing import complete_request
from rights.services.deadlines import extend_request
from rights.services.opening import open_request
from rights.services.refusals import refuse_request

ACTOR = "system:demo"
DAY = datetime.timedelta(days=1)

LEADS = (
    ("Astrid Demo", "astrid.demo@klinikk-a.invalid", "Demo Tannklinikk A"),
    ("Bjørn Demo", "bjorn.demo@klinikk-b.invalid", "Demo Fysio B"),
    ("Cecilie Demo", "cecilie.demo@klinikk-c.invalid", "Demo Hudklinikk C"),
)
MEETINGS = (("Dag Demo", "dag.demo@klinikk-d.invalid", "demo-booking-1", 2),)
SUBSCRIBERS = (
    ("Eva Demo", "eva.demo@example.invalid", "confirmed"),
    ("Frode Demo", "frode.demo@example.invalid", "unconfirmed"),
    ("Gro Demo", "gro.demo@example.invalid", "unsubscribed"),
    ("Kristin Haugen", "kristin.haugen@example.com", "confirmed"),
    ("Ola Nordby", "ola.nordby@example.com", "confirmed"),
)
# Registered members (username, name, address), made without a password: nobody signs in as one.
MEMBERS = (
    ("solveig.aas", "Solveig Aas", "solveig.aas@example.com"),
    ("magnus.lunde", "Magnus Lunde", "magnus.lunde@example.com"),
)
OTHER_SOURCE = ("Henrik Demo", "henrik.demo@klinikk-h.invalid")
COMMENTERS = (("Ingrid Demo", "ingrid.demo@example.invalid"),)
REQUESTERS = {
    "overdue": "jonas.demo@example.invalid",
    "extended": "kari.demo@example.invalid",
    "unverified": "lars.demo@example.invalid",
    "completed": "mona.demo@example.invalid",
    "refused": "nils.demo@example.invalid",
}
DEMO_NAMES = [
    *(n for n, _, _ in LEADS), *(n for n, *_ in MEETINGS), *(n for n, _, _ in SUBSCRIBERS),
    OTHER_SOURCE[0], *(n for n, _ in COMMENTERS), *(n for _, n, _ in MEMBERS),
]  # fmt: skip
DEMO_EMAILS = [
    *(e for _, e, _ in LEADS), *(e for _, e, *_ in MEETINGS), *(e for _, e, _ in SUBSCRIBERS),
    OTHER_SOURCE[1], *(e for _, e in COMMENTERS), *REQUESTERS.values(),
    *(e for _, _, e in MEMBERS),
]  # fmt: skip


def load_leads(now: datetime.datetime) -> None:
    if not Lead.objects.filter(email=LEADS[0][1]).exists():
        for name, email, company in LEADS:
            submit_enquiry(
                kind=Lead.Kind.CONTACT, name=name, email=email, company=company,
                message="We would like more patients to find us.", source="contact_form",
                language="nb" if "ø" in name else "en",
            )  # fmt: skip
    if not Meeting.objects.filter(provider_booking_id=MEETINGS[0][2]).exists():
        for name, email, booking_id, days_ahead in MEETINGS:
            starts = (now + days_ahead * DAY).replace(hour=10, minute=0, second=0, microsecond=0)
            record_booking(
                provider=Meeting.Provider.CALCOM, status=Meeting.Status.BOOKED,
                booking_id=booking_id, name=name, email=email, starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=30), occurred_at=now, language="en",
            )  # fmt: skip
    if not Lead.objects.filter(email=OTHER_SOURCE[1]).exists():
        # A lead met at a trade fair: the Art. 14 notice is queued at once (TP-02).
        enter_lead_from_other_source(
            source_kind=Lead.SourceKind.EVENT, source_description="Demo trade fair, stand 12",
            name=OTHER_SOURCE[0], email=OTHER_SOURCE[1], company="Demo Klinikk H",
            language="en", actor=ACTOR,
        )  # fmt: skip


def load_subscribers() -> None:
    if Subscription.objects.filter(subject__email=SUBSCRIBERS[0][1]).exists():
        return
    for name, email, state in SUBSCRIBERS:
        subscription = newsletter.start_subscription(
            email=email, name=name, source=newsletter.SOURCE_NEWSLETTER_FORM,
            consent_wording="Yes, send me the Wekst newsletter.", language="en",
        )  # fmt: skip
        if state == "unconfirmed":
            continue
        # The person's own link, as the confirmation email carries it.
        token = new_token()
        Subscription.objects.filter(pk=subscription.pk).update(
            confirmation_token_hash=hash_token(token)
        )
        subscription = newsletter.confirm_subscription(token=token)
        if state == "unsubscribed":
            newsletter.unsubscribe(token=subscription.unsubscribe_token)


def load_members() -> None:
    for username, name, email in MEMBERS:
        if not get_user_model().objects.filter(username=username).exists():
            register_user(username=username, email=email, name=name)


def load_comments(now: datetime.datetime) -> None:
    article, created = Article.objects.get_or_create(
        slug="demo-growing-a-clinic",
        defaults={
            "title": "Demo: growing a clinic without tracking anyone",
            "body": "First paragraph.\n\nSecond paragraph.",
            "is_published": True,
            "published_at": now - 3 * DAY,
        },
    )
    if Comment.objects.filter(article=article).exists():
        return
    for name, email in COMMENTERS:
        post_comment(
            article=article, name=name, email=email, text="Thank you, this was useful.",
            ip_address="192.0.2.10", user_agent="Demo browser", language="en",
        )  # fmt: skip


def _backdate(request: Request, *, days: int) -> None:
    """Move a request's clock back, as if it had come in `days` ago."""
    shift = days * DAY
    Request.objects.filter(pk=request.pk).update(
        received_at=request.received_at - shift,
        due_at=request.due_at - shift,
        verified_at=(request.verified_at - shift) if request.verified_at else None,
    )


def load_requests() -> None:
    if Request.objects.filter(email=REQUESTERS["overdue"]).exists():
        return

    def by_email(key: str, kind: str = "access") -> Request:
        return open_request(
            kind=kind, email=REQUESTERS[key], received_via="email",
            identity_check="Demo: replied from the address on record.", actor=ACTOR,
        )  # fmt: skip

    _backdate(by_email("overdue"), days=35)
    extended = by_email("extended", "erasure")
    extend_request(
        request_id=extended.pk, months=1, actor=ACTOR,
        reason="Demo: the clinic's records must be gathered from two systems.",
    )  # fmt: skip
    _backdate(Request.objects.get(pk=extended.pk), days=20)
    open_request(kind="access", email=REQUESTERS["unverified"], received_via="portal")
    completed = by_email("completed")
    complete_request(request_id=completed.pk, actor=ACTOR, outcome="Demo: copy sent by post.")
    _backdate(Request.objects.get(pk=completed.pk), days=10)
    refused = by_email("refused", "erasure")
    refuse_request(
        request_id=refused.pk, actor=ACTOR, ground=Request.RefusalGround.EXCESSIVE,
        reason="Demo: the fourth identical request this month; answered on the first.",
    )  # fmt: skip
