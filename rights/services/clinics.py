"""Forwarding a request to a clinic: where Wekst processes the data for a clinic, the clinic is
the controller and decides; Wekst acts only on its instruction (GDPR Art. 28(3)(e); PRO-03, CL-04).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from declaration.selectors import get_declaration
from mail.services import queue_email
from rights.models import Request
from rights.services.steps import (
    ACTIVITY,
    RequestNotAllowed,
    _audit,
    _locked,
    _one_step,
    _tell_person,
)


def forward_to_clinic(*, request_id: int, actor: str) -> Request:
    """Pass a request about data Wekst processes for a clinic to that clinic, the controller, and
    tell the person; Wekst then acts only on the clinic's instruction (Art. 28(3)(e))."""
    with _one_step():
        request = _locked(request_id)
        if request.status != Request.Status.OPEN:
            raise RequestNotAllowed("Only an open, verified request can be forwarded.")
        if not request.clinic_email:
            raise RequestNotAllowed("Add the clinic's email address first.")
        _forward_to_clinic(request, actor=actor)
    return request


def _forward_to_clinic(request: Request, *, actor: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "rights/email/clinic_forward.txt",
            {"request": request, "controller": get_declaration().controller},
        )
    queue_email(
        to=request.clinic_email,
        subject_line=f"A data subject request for {request.clinic_name or 'your clinic'}"[:200],
        body=body,
        purpose=ACTIVITY,
        subject=request.subject,
        headers={"Reply-To": request.email},
    )
    request.status = Request.Status.FORWARDED
    request.forwarded_at = timezone.now()
    request.outcome = "Forwarded to the clinic, which is the controller of this data."
    request.save(update_fields=["status", "forwarded_at", "outcome"])
    _audit(request, actor=actor, action="notify", reason="forwarded to controller (clinic)")
    _tell_person(
        request, template="forwarded", subject_line=_("Your request was passed to the clinic")
    )
