"""Access and portability (GDPR Art. 15, 20; RIG-03): making the person's report available in the
portal, sending them a link to it, and recording each view or download. The report itself is
built by rights.access_report.build_access_report.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rights.models import OPEN_STATUSES, Request
from rights.selectors import report_is_available
from rights.services.links import _link_url, _new_link
from rights.services.steps import (
    PERSON,
    RequestNotAllowed,
    _audit,
    _close,
    _locked,
    _one_step,
    _tell_person,
    _tell_staff,
)


def _make_report_available(request: Request, *, actor: str) -> None:
    """Through the portal the person is in the portal session already: the report is there at
    once. A request received by staff waits for staff to send a link (send_report_link)."""
    if actor != PERSON:
        _tell_staff(
            request,
            template="staff_new_request",
            subject_line=f"A privacy request needs you: {request.kind}, due {request.due_at:%Y-%m-%d}",
        )
        return
    _close(
        request,
        status=Request.Status.COMPLETED,
        outcome="The report was made available in the privacy portal.",
    )
    _audit(request, actor=actor, action="change", reason="report made available in the portal")


def send_report_link(*, request_id: int, actor: str) -> Request:
    """Staff answer an access or portability request by sending the person a link to their
    report in the portal (never the data itself by email; checklist RG-07)."""
    with _one_step():
        request = _locked(request_id)
        if request.kind not in (Request.Kind.ACCESS, Request.Kind.PORTABILITY):
            raise RequestNotAllowed("Only access and portability requests have a report.")
        if request.status not in OPEN_STATUSES or not request.email:
            raise RequestNotAllowed("The request must be open and have an email address.")
        token = _new_link(request)
        request.save(update_fields=["verification_token_hash", "verification_expires_at"])
        _close(request, status=Request.Status.COMPLETED, outcome="A link to the report was sent.")
        _audit(request, actor=actor, action="notify", reason="report link sent to the person")
        _send_new_link(request, token=token)
    return request


def issue_new_link(*, public_id: str) -> None:
    """Send a fresh single-use link to the address of a verified access or portability request,
    so the person can fetch their report again. Does nothing (silently) for any other id: the
    page says the same whatever happened."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return
    with transaction.atomic():
        request = Request.objects.select_for_update().filter(public_id=public_id).first()
        if request is None or not request.email or not report_is_available(request):
            return
        token = _new_link(request)
        request.save(update_fields=["verification_token_hash", "verification_expires_at"])
        _audit(request, actor=PERSON, action="notify", reason="new portal link sent")
        _send_new_link(request, token=token)


def _send_new_link(request: Request, *, token: str) -> None:
    _tell_person(
        request,
        template="new_link",
        subject_line=_("Your link to your data at Wekst"),
        context={
            "link": _link_url(token, request.language),
            "hours": settings.RIGHTS_VERIFICATION_HOURS,
        },
    )


def record_report_export(*, request: Request, actor: str, format: str) -> None:
    """An access report was viewed or downloaded: an audit entry (SEC-01) in its own commit."""
    with transaction.atomic():
        _audit(request, actor=actor, action="export", reason=f"access report as {format}")
