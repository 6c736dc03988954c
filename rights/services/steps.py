"""The steps every kind of request shares: the audit entry, the email to the person or to staff,
the lock on the request and its closing (GDPR Art. 5(2), 12). Used by every module of
rights.services; imports none of them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.services import record_event
from declaration.selectors import get_declaration
from mail.services import queue_email
from rights.models import Request
from subjects.models import Subject

# The declared activity every request, and every email about one, serves (declaration.yaml).
ACTIVITY = "privacy_requests"
PERSON = "requester"  # the audit actor for what the person does through the portal
SYSTEM = "system:rights"


class RequestNotAllowed(ValidationError):
    """A step that does not fit the request as it stands; the message says why, for staff."""


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
    request = (
        Request.objects.select_for_update(of=("self",))
        .select_related("subject")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise RequestNotAllowed(gettext("This request does not exist."))
    return request


def _close(request: Request, *, status: str, outcome: str) -> None:
    request.status = status
    request.closed_at = timezone.now()
    request.outcome = outcome
    request.save(update_fields=["status", "closed_at", "outcome"])
