"""Withdrawal of consent (GDPR Art. 7(3); RIG-05): at once, as easily as it was given; what was
done before stays lawful.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from newsletter.services import unsubscribe
from rights.models import Request
from rights.services.objections import refuse_cookies
from rights.services.steps import _audit, _close, _tell_person
from subjects.selectors import records_of


def _apply_withdrawal(request: Request, *, actor: str) -> None:
    """Art. 7(3): consent is withdrawn at once, as easily as it was given; what was done before
    stays lawful. Ends the newsletter subscription and refuses cookies for the consent ids given."""
    subscriptions = records_of(request.subject).get("newsletter.Subscription")
    ended = 0
    for token in (
        subscriptions.values_list("unsubscribe_token", flat=True)
        if subscriptions is not None
        else ()
    ):
        ended += unsubscribe(token=token)
    refused = refuse_cookies(request)
    _close(
        request,
        status=Request.Status.COMPLETED,
        outcome=f"Consent withdrawn: {ended} newsletter subscription(s) ended, "
        f"{refused} cookie consent(s) refused.",
    )
    _audit(request, actor=actor, action="change", reason="consent withdrawn")
    _tell_person(request, template="withdrawn", subject_line=_("Your consent is withdrawn"))
