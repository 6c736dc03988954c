"""Reading privacy requests: who may see which request, what is due, who is restricted, and the
access report of everything about one person (GDPR Art. 12, 15, 18, 20, 21). Which processors
received a person's data is rights.processor_targets; the report itself is built in
rights.access_report."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from declaration.selectors import get_declaration
from rights.models import OPEN_STATUSES, ProcessorNotice, Request, Restriction
from rights.reports import (
    RecordSet,
)
from rights.tokens import TOKEN_MAX_LENGTH, hash_token
from subjects.models import Subject

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


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
