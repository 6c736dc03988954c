"""The steps every kind of request shares: the audit entry, the email to the person or to staff,
the locks on the person and the request, and its closing (GDPR Art. 5(2), 12). Used by every
module of rights.services; imports none of them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.services import record_event
from declaration.selectors import get_declaration
from mail.services import queue_email
from rights.models import Request
from subjects.models import Subject
from subjects.selectors import find_subjects
from subjects.services import get_or_create_subject, lock_subject_of

# The declared activity every request, and every email about one, serves (declaration.yaml).
ACTIVITY = "privacy_requests"
PERSON = "requester"  # the audit actor for what the person does through the portal
SYSTEM = "system:rights"
# PostgreSQL's codes for a transaction another one stood in the way of: a deadlock it broke, a
# lock not granted in time, a serialisation failure. SQLite says "database is locked".
LOCK_CONFLICTS = frozenset({"40P01", "55P03", "40001"})


class RequestNotAllowed(ValidationError):
    """A step that does not fit the request as it stands; the message says why, for staff."""


class PersonBusy(RequestNotAllowed):
    """The database gave up on the step because another change held what it needed: the step's
    transaction was rolled back whole, so staff are told to try again (a ValidationError, which
    the back office shows as a message, never a 500)."""


@contextmanager
def _one_step() -> Iterator[None]:
    """The transaction of one step. The lock order (_locked) leaves no deadlock between the
    steps of rights, but one with code elsewhere, or a lock wait the database ends, can still
    happen: that is refused as PersonBusy, with nothing changed."""
    try:
        with transaction.atomic():
            yield
    except OperationalError as error:
        cause = error.__cause__
        code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if code not in LOCK_CONFLICTS and "database is locked" not in str(error):
            raise
        raise PersonBusy(
            gettext(
                "Another change to this person was in progress; nothing was changed; try again."
            )
        ) from error


def _language(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def _absolute_url(path: str) -> str:
    return f"{settings.WEKST_SITE_URL}{path}"


def _admin_url(request: Request) -> str:
    return _absolute_url(reverse("admin:rights_request_change", args=[request.pk]))


def _audit(request: Request, *, actor: str, action: str, reason: str) -> None:
    """One step of a request in the audit log: references only, never the person's data."""
    record_event(
        actor=actor,
        action=action,
        object_type="rights.Request",
        object_id=request.public_id,
        subject_ref=request.subject.public_id if request.subject_id else "",
        reason=reason,
    )


def _tell(
    *,
    to: str,
    language: str,
    subject: Subject | None,
    template: str,
    subject_line: object,
    context: dict,
) -> None:
    """Queue an email to the person in their language (through the worker, never inline)."""
    if not to:
        return
    with translation.override(language):
        body = render_to_string(
            f"rights/email/{template}.txt",
            {
                "controller": get_declaration().controller,
                "authority": get_declaration().supervisory_authority,
                **context,
            },
        )
        line = str(subject_line)
    queue_email(to=to, subject_line=line, body=body, purpose=ACTIVITY, subject=subject)


def _tell_person(
    request: Request,
    *,
    template: str,
    subject_line: object,
    context: dict | None = None,
    to: str = "",
    link_subject: bool = True,
) -> None:
    _tell(
        to=to or request.email,
        language=request.language,
        subject=request.subject if link_subject else None,
        template=template,
        subject_line=subject_line,
        context={"request": request, **(context or {})},
    )


def _tell_staff(request: Request, *, template: str, subject_line: str, context=None) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            f"rights/email/{template}.txt",
            {"request": request, "admin_url": _admin_url(request), **(context or {})},
        )
    for address in settings.WEKST_STAFF_EMAILS:
        queue_email(
            to=address,
            subject_line=subject_line,
            body=body,
            purpose=ACTIVITY,
            subject=request.subject,
        )


def _locked(request_id: int) -> Request:
    """The request, locked until the transaction ends, after the row of the person it is about.

    The one lock order of rights (SEC-01): the person's Subject row, then the request, then the
    audit chain (record_event). A step about a person writes rows that point at them (an email,
    an audit entry) and an erasure of them changes every request of theirs, so two steps that
    took their own request first could each hold what the other waits for: two erasures of one
    person, an erasure and a refusal. Taken in this order, they queue on the person's row.
    """
    subject_id = lock_subject_of(Request.objects.filter(pk=request_id))
    request = (
        Request.objects.select_for_update(of=("self",))
        .select_related("subject")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise RequestNotAllowed(gettext("This request does not exist."))
    if request.subject_id not in (subject_id, None):
        # Linked to its person between the two reads (verified meanwhile): the person's row is
        # taken late this once rather than the request released, which a transaction cannot do.
        lock_subject_of(Request.objects.filter(pk=request_id))
    return request


def _person_locked(*, email: str, create: bool) -> Subject | None:
    """The person with this address, their row locked until the transaction ends (see _locked);
    created if new when `create`, else None for an address we do not know."""
    if create:
        return get_or_create_subject(email=email, lock=True)[0]
    return find_subjects(email=email).select_for_update().first()


def _close(request: Request, *, status: str, outcome: str) -> None:
    request.status = status
    request.closed_at = timezone.now()
    request.outcome = outcome
    request.save(update_fields=["status", "closed_at", "outcome"])
