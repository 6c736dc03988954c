"""Refusing a request (GDPR Art. 12(4)-(5); checklist RG-05): only with a recorded ground and
written reasons, which the person is sent at once, with the right to complain to Datatilsynet and
the right to a judicial remedy, in their language.

Requests are free. Art. 12(5)(a) would allow a reasonable fee for a manifestly unfounded or
excessive request; Wekst does not charge one, so there is no fee to give notice of.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rights.models import OPEN_STATUSES, Request
from rights.services.steps import (
    RequestNotAllowed,
    _audit,
    _close,
    _locked,
    _one_step,
    _tell_person,
)


def refuse_request(*, request_id: int, actor: str, reason: str, ground: str = "") -> Request:
    """Refuse a request on a recorded ground (manifestly unfounded; excessive, e.g. repetitive;
    or an exception in the law) with written reasons, and tell the person, with the right to
    complain to Datatilsynet (name, website, postal address from the declaration) and to go to
    the courts (Art. 12(4), 77, 79).

    Raises ValidationError with a clear message, and stores and sends nothing, when the ground or
    the reasons are missing, or the request is not open.
    """
    reason = reason.strip()[:2000]
    errors = {}
    if ground not in Request.RefusalGround.values:
        errors["ground"] = gettext(
            "Choose the ground for the refusal: manifestly unfounded, excessive (for example "
            "repetitive), or an exception in the law."
        )
    if not reason:
        errors["reason"] = gettext(
            "Write the reasons for the refusal: they are sent to the person, who may complain "
            "about them."
        )
    if errors:
        raise ValidationError(errors)
    with _one_step():
        request = _locked(request_id)
        if request.status not in OPEN_STATUSES:
            raise RequestNotAllowed(gettext("Only an open request can be refused."))
        request.refusal_ground = ground
        request.save(update_fields=["refusal_ground"])
        _close(request, status=Request.Status.REFUSED, outcome=reason)
        late = timezone.now() > request.due_at
        _audit(
            request,
            actor=actor,
            action="change",
            reason=f"refused by staff ({ground})" + (" after the deadline" if late else ""),
        )
        _tell_person(
            request,
            template="refused",
            subject_line=_("Your privacy request was refused"),
            context={"ground": Request.RefusalGround(ground).label},
        )
        _audit(request, actor=actor, action="notify", reason="refusal and remedies sent to person")
    return request
