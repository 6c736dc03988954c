"""Closing a request by hand: staff record what was done when it was answered another way (by
post, or the clinic answered). Every other way a request closes is in the module of its kind.
"""

from __future__ import annotations

from rights.models import OPEN_STATUSES, Request
from rights.services.steps import RequestNotAllowed, _audit, _close, _locked, _one_step


def complete_request(*, request_id: int, actor: str, outcome: str) -> Request:
    """Staff close a request answered another way (by post, or the clinic answered)."""
    outcome = outcome.strip()[:2000]
    if not outcome:
        raise RequestNotAllowed("Record what was done.")
    with _one_step():
        request = _locked(request_id)
        if request.status not in OPEN_STATUSES:
            raise RequestNotAllowed("Only an open request can be completed.")
        _close(request, status=Request.Status.COMPLETED, outcome=outcome)
        _audit(request, actor=actor, action="change", reason="completed by staff")
    return request
