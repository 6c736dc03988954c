"""Restriction of processing (GDPR Art. 18; RIG-05): in force at once, passed on to the processors
holding the data (Art. 19; RG-12), and lifted by staff with a reason told to the person.

A restriction and an objection to direct marketing are both a `Restriction` row in force; where
the processing checks them: rights.selectors.is_restricted and rights.processing.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import record_event
from rights.models import ProcessorNotice, Request, Restriction
from rights.processor_targets import processor_targets
from rights.services.processor_notices import _passed_on_text, pass_on_to_processors
from rights.services.steps import (
    RequestNotAllowed,
    _audit,
    _close,
    _one_step,
    _tell,
    _tell_person,
    _tell_staff,
)
from subjects.selectors import records_of
from subjects.services import lock_subject_of


def _restrict(request: Request, *, kind: str) -> tuple[Restriction, bool]:
    """The restriction or objection in force for the subject, and whether it is new."""
    return Restriction.objects.get_or_create(
        subject=request.subject, kind=kind, lifted_at=None, defaults={"request": request}
    )


def _apply_restriction(request: Request, *, actor: str) -> None:
    """Art. 18: the data is kept but no longer used for marketing email or profiling, here and
    at each processor holding it, which is told through its connector (Art. 19; RG-12)."""
    _restriction, created = _restrict(request, kind=Restriction.Kind.RESTRICTION)
    passed_on: list[str] = []
    if created:  # a restriction already in force was passed on when it began
        subject = request.subject
        # No client ids: Google Analytics holds nothing a restriction could apply to.
        targets = processor_targets(subject, records_of(subject), client_ids=set())
        passed_on = pass_on_to_processors(
            kind=ProcessorNotice.Kind.RESTRICTION,
            targets=targets,
            subject_ref=str(subject.public_id),
            request=request,
        )
    _close(
        request,
        status=Request.Status.COMPLETED,
        outcome="Restriction in force: your data is kept but not used until it is lifted."
        + _passed_on_text(passed_on),
    )
    _audit(request, actor=actor, action="change", reason="restriction in force")
    _tell_person(
        request,
        template="restricted",
        subject_line=_("Your data at Wekst is now restricted"),
        context={"passed_on_to": passed_on},
    )
    _tell_staff(
        request,
        template="staff_new_request",
        subject_line="A restriction is in force: review the person's data",
    )


def lift_restriction(*, restriction_id: int, actor: str, reason: str) -> Restriction:
    """Lift a restriction or objection; the person is told at the same time (Art. 18(3)).

    Nothing is passed on to the processors: Art. 19 asks for rectification, erasure and
    restriction to be passed on, not for a restriction's end. A processor left restricting errs
    on the person's side, and undoing it there (Brevo's blocklist, say) would resubscribe the
    person to marketing they have not asked for again; staff do that by hand if the person asks.
    """
    reason = " ".join(reason.split())[:300]
    if not reason:
        raise RequestNotAllowed("Record why the restriction is lifted.")
    with _one_step():
        # The person's row first: the one lock order (steps._locked).
        lock_subject_of(Restriction.objects.filter(pk=restriction_id))
        restriction = (
            Restriction.objects.select_for_update(of=("self",))
            .select_related("subject", "request")
            .filter(pk=restriction_id, lifted_at__isnull=True)
            .first()
        )
        if restriction is None:
            raise RequestNotAllowed("This restriction is not in force.")
        restriction.lifted_at = timezone.now()
        restriction.lifted_by = actor
        restriction.lift_reason = reason
        restriction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        record_event(
            actor=actor,
            action="change",
            object_type="rights.Restriction",
            object_id=restriction.public_id,
            subject_ref=restriction.subject.public_id,
            reason="restriction lifted",
        )
        _tell(
            to=restriction.subject.email or "",
            language=restriction.request.language
            if restriction.request
            else settings.LANGUAGE_CODE,
            subject=restriction.subject,
            template="restriction_lifted",
            subject_line=_("A restriction of your data at Wekst is lifted"),
            context={"restriction": restriction},
        )
    return restriction
