"""Reading privacy requests: who may see which request, what is due, who is restricted, which
processors received a person's data, and the access report of everything about one person
(GDPR Art. 12, 15, 18, 19, 20, 21)."""

from __future__ import annotations

import datetime
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from audit.selectors import entries_about
from consent.models import ConsentDecision
from declaration.schema import Declaration
from declaration.selectors import get_declaration
from processors.connectors import ProcessorTarget
from processors.integration import ACTIVITIES, BOOKINGS, CLIENT_IDS, integrations
from rights.models import OPEN_STATUSES, ProcessorNotice, Request, Restriction
from rights.reports import (
    AccessReport,
    ProcessingInfo,
    RecordSet,
    processing_info,
    recipient_info,
)
from rights.tokens import TOKEN_MAX_LENGTH, hash_token
from subjects.models import Subject
from subjects.selectors import records_of

# Session key under which the portal keeps the requests a browser has verified, with the time.
SESSION_GRANTS = "rights:verified"

# Stored secrets are never part of a report: they are ours, not the person's data.
SECRET_FIELD = re.compile(r"token|hash|digest|secret|password")
# Fields naming a staff member: another person's data, redacted in a report (Art. 15(4)).
STAFF_FIELDS = frozenset(
    {"actor", "opened_by", "lifted_by", "completed_by", "grounds_recorded_by", "reviewed_by"}
)
# The declared activity of records whose model has no `purpose` field and declares none itself
# (models of other apps, which declare `declared_activity` once they do).
MODEL_ACTIVITIES = {
    "newsletter.Subscription": ("newsletter",),
    "newsletter.Delivery": ("newsletter",),
    "leads.Meeting": ("meetings",),
    "consent.ConsentDecision": ("consent_records",),
    "audit.AuditEntry": ("staff_accounts",),
}


# Who is restricted ---------------------------------------------------------------------------


def restricted_subject_ids() -> QuerySet:
    """Ids of subjects with a restriction or objection in force: no marketing, no profiling."""
    return Restriction.objects.filter(lifted_at__isnull=True).values("subject_id")


def is_restricted(subject: Subject) -> bool:
    """Whether the subject's data may only be stored, not used for marketing email or profiling
    (a restriction under Art. 18 or an objection under Art. 21 is in force; checklist RG-14)."""
    return Restriction.objects.filter(subject=subject, lifted_at__isnull=True).exists()


def subject_ids_with_open_requests() -> QuerySet:
    """Ids of subjects with a verified request not yet closed: retention must not erase their
    data while we answer (checklist RT-02)."""
    return Request.objects.filter(status__in=OPEN_STATUSES, subject__isnull=False).values(
        "subject_id"
    )


# Links and the portal session ----------------------------------------------------------------


def get_request_by_token(*, token: str) -> Request | None:
    """The request a link's token belongs to (a used or replaced link finds none)."""
    if not 0 < len(token) <= TOKEN_MAX_LENGTH:
        return None
    return Request.objects.filter(verification_token_hash=hash_token(token)).first()


def link_state(*, token: str, now: datetime.datetime | None = None) -> str:
    """ "valid", "expired" or "invalid" (unknown, used, or malformed)."""
    request = get_request_by_token(token=token)
    if request is None:
        return "invalid"
    if request.verification_expires_at is None or request.verification_expires_at <= (
        now or timezone.now()
    ):
        return "expired"
    return "valid"


def get_request_for_session(
    *, public_id: uuid.UUID, session, now: datetime.datetime | None = None
) -> Request:
    """The request this browser verified within the portal session's lifetime; 404 for anyone
    else, so the portal's views never decide access themselves (RIG-02)."""
    granted_at = session.get(SESSION_GRANTS, {}).get(str(public_id))
    if granted_at is None:
        raise Http404
    lifetime = datetime.timedelta(minutes=settings.RIGHTS_PORTAL_SESSION_MINUTES)
    if datetime.datetime.fromisoformat(granted_at) + lifetime <= (now or timezone.now()):
        raise Http404
    request = Request.objects.select_related("subject").filter(public_id=public_id).first()
    if request is None or request.verified_at is None:
        raise Http404
    return request


def report_is_available(request: Request) -> bool:
    """Access and portability reports, while the request is verified and recent enough."""
    if request.kind not in (Request.Kind.ACCESS, Request.Kind.PORTABILITY):
        return False
    if request.verified_at is None or request.status == Request.Status.REFUSED:
        return False
    if request.status == Request.Status.FORWARDED:
        return False
    window = datetime.timedelta(days=settings.RIGHTS_REPORT_AVAILABLE_DAYS)
    return request.closed_at is None or request.closed_at + window > timezone.now()


# The back office ----------------------------------------------------------------------------


def request_queue() -> QuerySet[Request]:
    """Requests still to answer, the nearest deadline first."""
    return Request.objects.filter(status__in=OPEN_STATUSES).order_by("due_at", "received_at")


def requests_due_for_reminder(*, now: datetime.datetime, within_days: int) -> QuerySet[Request]:
    """Open requests due within `within_days` (or overdue) whose staff were not yet reminded of
    this deadline; an extension sets a new deadline, so it is reminded of again."""
    horizon = now + datetime.timedelta(days=within_days)
    return request_queue().filter(due_at__lte=horizon).exclude(reminded_for_due_at=F("due_at"))


def lapsed_unverified_requests(*, now: datetime.datetime) -> QuerySet[Request]:
    """Portal requests whose verification link expired unused: never a valid request."""
    return Request.objects.filter(
        status=Request.Status.UNVERIFIED, verification_expires_at__lte=now
    )


def processor_notices_due(*, now: datetime.datetime) -> QuerySet[ProcessorNotice]:
    return ProcessorNotice.objects.filter(
        status=ProcessorNotice.Status.PENDING, next_attempt_at__lte=now
    )


# The access report (Art. 15, 20) -----------------------------------------------------------


def _field_value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _record_set(label: str, queryset: QuerySet, *, subject: Subject | None) -> RecordSet | None:
    model = queryset.model
    declared = get_declaration().personal_data_fields.get(label, {})
    fields = [
        field
        for field in model._meta.concrete_fields
        if not SECRET_FIELD.search(field.name)
        and not (field.is_relation and field.related_model is Subject)
    ]
    rows, redactions = [], 0
    for values in queryset.values(*[f.attname for f in fields]).order_by("pk"):
        row = {}
        for field in fields:
            value = _field_value(values[field.attname])
            if field.name in STAFF_FIELDS and value and not str(value).startswith("system"):
                value, redactions = "[Wekst staff]", redactions + 1
            # An email about the person sent to someone else (a staff notification): the
            # recipient's address is not the person's data (Art. 15(4)).
            if (
                label == "mail.OutgoingEmail"
                and field.name == "to_address"
                and subject is not None
                and value != subject.email
            ):
                value, redactions = "[Wekst staff mailbox]", redactions + 1
            row[field.name] = value
        rows.append(row)
    if not rows:
        return None
    activities = _activities_of(label, model, rows)
    return RecordSet(
        label=label,
        name=str(model._meta.verbose_name_plural),
        fields=[(f.name, str(f.verbose_name), declared.get(f.name, "")) for f in fields],
        rows=rows,
        activities=activities,
        redactions=redactions,
    )


def _activities_of(label: str, model, rows: list[dict]) -> tuple[str, ...] | None:
    """The declared activities the records serve; None when unknown (then all are listed)."""
    known = get_declaration().activities
    if rows and "purpose" in rows[0]:
        return tuple(sorted({row["purpose"] for row in rows if row["purpose"] in known}))
    declared = getattr(model, "declared_activity", None)
    if declared:
        return (declared,)
    return MODEL_ACTIVITIES.get(label)


def activities_of_records(records: dict[str, QuerySet]) -> Iterator[str]:
    """The declared activities a person's records serve (their `purpose`, or their model's),
    lazily, model by model, so a caller looking for one can stop at the first match."""
    for label, queryset in records.items():
        model = queryset.model
        if any(f.name == "purpose" for f in model._meta.concrete_fields):
            yield from queryset.order_by().values_list("purpose", flat=True).distinct()
        elif getattr(model, "declared_activity", None):
            if queryset.exists():
                yield model.declared_activity
        elif label in MODEL_ACTIVITIES and queryset.exists():
            yield from MODEL_ACTIVITIES[label]


# The processors that received the person's data (Art. 19) ----------------------------------


def identifiers_in_requests(records: dict[str, QuerySet]) -> tuple[list[str], set[str]]:
    """(cookie consent ids, Google Analytics client ids) the person gave with their requests."""
    requests = records.get("rights.Request")
    consent_ids: set[str] = set()
    client_ids: set[str] = set()
    if requests is not None:
        for consents, clients in requests.values_list("consent_ids", "analytics_client_ids"):
            consent_ids.update(str(v) for v in consents or ())
            client_ids.update(str(v) for v in clients or ())
    return [str(uuid.UUID(value)) for value in consent_ids if _is_uuid(value)], client_ids


def processor_targets(
    subject: Subject, records: dict[str, QuerySet], *, client_ids: set[str]
) -> dict[str, ProcessorTarget]:
    """Each processor that received the person's data, with what it knows them by: the
    recipients an erasure, rectification or restriction is passed on to, and the ones the person
    is told of on request (Art. 19).

    Each provider's integration record (processors/integration.py) says how data reached it and
    what it knows the person by: a booking provider, through the meetings booked there; the email
    provider, through any record of an activity the declaration says it receives data for; Google
    Analytics, through the client ids the person gave with a request (none given, none found).
    """
    declaration = get_declaration()
    known: dict[str, tuple[str, ...]] = {
        "emails": (subject.email,) if subject.email else (),
        "phones": (subject.phone,) if subject.phone else (),
        "client_ids": tuple(sorted(client_ids)),
    }
    booked: dict[str, list[str]] = defaultdict(list)
    meetings = records.get("leads.Meeting")
    if meetings is not None:
        for provider, booking_id in meetings.values_list("provider", "provider_booking_id"):
            booked[provider].append(booking_id)
    served = {
        recipient
        for key in activities_of_records(records)
        if key in declaration.activities
        for recipient in declaration.activities[key].recipients
    }

    reached = {
        BOOKINGS: lambda key: key in booked,
        ACTIVITIES: lambda key: key in served,
        CLIENT_IDS: lambda key: True,
    }
    targets = {}
    for integration in integrations().values():
        if integration.key not in declaration.recipients:
            continue
        if not reached[integration.received_through](integration.key):
            continue
        known["booking_ids"] = tuple(sorted(booked.get(integration.key, ())))
        target = ProcessorTarget(**{name: known[name] for name in integration.known_by})
        # Nothing to tell a processor that knows the person by nothing we hold (no address, no
        # client id given): it cannot find them.
        if any(target.as_dict().values()):
            targets[integration.key] = target
    # Booking providers first, in the order the meetings were booked, then the others.
    order = {key: position for position, key in enumerate(booked)}
    return dict(sorted(targets.items(), key=lambda item: order.get(item[0], len(order))))


def build_access_report(
    *, subject: Subject | None, consent_ids: Iterable[str] = (), language: str = "en"
) -> AccessReport:
    """Every record about the person across the system, and what the law says they must be told
    about it (GDPR Art. 15(1)(a)-(h), 15(2); checklist RG-06), including the processors their data
    was disclosed to, which erasure, rectification and restriction are passed on to (Art. 19;
    checklist RG-12).

    Records are found through the subject index (`records_of`, every model with a foreign key to
    the subject), the audit log (`entries_about`), and the consent log for the consent ids the
    person gave as theirs. Stored secrets are left out; other people's data (staff names, staff
    mailboxes) is redacted and counted.
    """
    record_sets: list[RecordSet] = []
    disclosed_to: list[str] = []
    if subject is not None:
        record_sets.append(_subject_index_entry(subject))
        records = records_of(subject)
        record_sets += _record_sets_of(records, subject=subject)
        _consent_ids, client_ids = identifiers_in_requests(records)
        disclosed_to = list(processor_targets(subject, records, client_ids=client_ids))
        record_sets += _audit_entries_about(subject)
    record_sets += _consent_decisions(consent_ids, subject=subject)
    declaration = get_declaration()
    return AccessReport(
        generated_at=timezone.now(),
        subject_ref=str(subject.public_id) if subject is not None else "",
        language=language,
        record_sets=[r for r in record_sets if r.label != "subjects.Subject" or r.rows],
        processing=_processing_of(record_sets, declaration=declaration, language=language),
        disclosed_to=[
            recipient_info(declaration.recipients[key], language) for key in disclosed_to
        ],
        declaration=declaration,
    )


def _subject_index_entry(subject: Subject) -> RecordSet:
    return RecordSet(
        label="subjects.Subject",
        name="subject index",
        fields=[
            ("public_id", "reference", ""),
            ("email", "email address", "contact"),
            ("phone", "phone number", "contact"),
            ("created_at", "first seen", ""),
        ],
        rows=[
            {
                "public_id": str(subject.public_id),
                "email": subject.email or "",
                "phone": subject.phone,
                "created_at": subject.created_at.isoformat(),
            }
        ],
        activities=(),
    )


def _record_sets_of(records: dict[str, QuerySet], *, subject: Subject) -> list[RecordSet]:
    found = (_record_set(label, queryset, subject=subject) for label, queryset in records.items())
    return [record_set for record_set in found if record_set is not None]


def _audit_entries_about(subject: Subject) -> list[RecordSet]:
    audit = _record_set("audit.AuditEntry", entries_about(str(subject.public_id)), subject=subject)
    return [audit] if audit is not None else []


def _consent_decisions(consent_ids: Iterable[str], *, subject: Subject | None) -> list[RecordSet]:
    """The consent log is not linked to the subject: its entries are found by the consent ids
    the person gave as theirs."""
    valid_ids = [i for i in consent_ids if _is_uuid(i)]
    if not valid_ids:
        return []
    decisions = _record_set(
        "consent.ConsentDecision",
        ConsentDecision.objects.filter(consent_id__in=valid_ids),
        subject=subject,
    )
    return [decisions] if decisions is not None else []


def _processing_of(
    record_sets: list[RecordSet], *, declaration: Declaration, language: str
) -> list[ProcessingInfo]:
    """The declared activities the records serve, in the declaration's order; all of them when
    any record's activity is unknown, so the person is never told too little."""
    activity_keys: set[str] = set()
    unknown = False
    for record_set in record_sets:
        if record_set.activities is None:
            unknown = True
        else:
            activity_keys.update(record_set.activities)
    if unknown:
        activity_keys = set(declaration.activities)
    return [
        processing_info(declaration, declaration.activities[key], language)
        for key in declaration.activities
        if key in activity_keys
    ]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
