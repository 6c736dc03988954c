"""Objections (GDPR Art. 21): to direct marketing, absolute and at once; to a processing on
legitimate interests, in force until one member of staff records compelling grounds, another
reviews them, and the person is sent the decision with their remedies (checklist RG-15).

Where the processing checks the objection: rights.processing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.services import record_event
from consent.models import ConsentDecision
from consent.services import record_consent
from declaration.selectors import get_declaration
from mail.services import queue_email
from newsletter.services import record_objection_to_marketing
from newsletter.tokens import address_digests
from rights import ledger
from rights.models import OPEN_STATUSES, Objection, Request, Restriction
from rights.processing import is_direct_marketing, objectable_activities
from rights.services.restriction import _restrict
from rights.services.steps import (
    ACTIVITY,
    RequestNotAllowed,
    _absolute_url,
    _audit,
    _close,
    _one_step,
    _tell,
    _tell_person,
    _tell_staff,
)
from subjects.services import lock_subject_of


def clean_objected_activities(*, kind: str, activities: list[str] | tuple[str, ...]) -> list[str]:
    """The declared activities an Art. 21(1) objection names, checked: at least one, each one a
    processing on legitimate interests. Raises ValidationError otherwise."""
    if kind != Request.Kind.OBJECTION_LI:
        return []
    objectable = [activity.key for activity in objectable_activities()]
    chosen = [key for key in objectable if key in set(activities)]
    if not chosen or len(chosen) != len(set(activities)):
        raise ValidationError(
            gettext("Please choose which processing you object to."), code="activities"
        )
    return chosen


def refuse_cookies(request: Request) -> int:
    """Refuse every cookie category for the consent ids the person gave as theirs."""
    count = 0
    for consent_id in request.consent_ids:
        try:
            value = uuid.UUID(str(consent_id))
        except ValueError:
            continue
        if not ConsentDecision.objects.filter(consent_id=value).exists():
            continue
        record_consent(
            consent_id=value,
            action=ConsentDecision.Action.REJECT_ALL,
            method=ConsentDecision.Method.SETTINGS,
            gpc=False,
            language=request.language,
            ip=None,
        )
        count += 1
    return count


def apply_objection_to_marketing(request: Request, *, actor: str) -> None:
    """Art. 21(2)-(3): an objection to direct marketing is absolute and immediate. It ends any
    newsletter subscription, leaves a suppression entry that survives erasure (and, through the
    ledger, a restore), refuses marketing cookies for the consent ids given, and stops profiling
    and client marketing (rights.processing)."""
    record_objection_to_marketing(email=request.email)
    ledger.record_objection(suppression_digest=address_digests(request.email)[0])
    refuse_cookies(request)
    _restrict(request, kind=Restriction.Kind.OBJECTION)
    _close(
        request,
        status=Request.Status.COMPLETED,
        outcome="Objection in force: no marketing email and no profiling.",
    )
    _audit(request, actor=actor, action="change", reason="objection to direct marketing in force")
    _tell_person(
        request, template="objected", subject_line=_("Your objection to marketing is in force")
    )


def _audit_objection(objection: Objection, *, actor: str, action: str, reason: str) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="rights.Objection",
        object_id=objection.public_id,
        subject_ref=objection.subject.public_id,
        reason=reason[:300],
    )


def _activity_names(keys: list[str], language: str) -> list[str]:
    activities = get_declaration().activities
    return [activities[key].name.in_language(language) for key in keys if key in activities]


def apply_objection_to_processing(request: Request, *, actor: str) -> None:
    """Art. 21(1): once identity is verified, each processing on legitimate interests the person
    named stops for them (rights.processing.may_process), and the person is told. Staff then have
    the month of the request to record compelling grounds, if any; until reviewed grounds override
    it, the objection stands. An objection to direct marketing among them is absolute at once."""
    objectable = {activity.key for activity in objectable_activities()}
    keys = [key for key in request.objected_activities if key in objectable]
    now = timezone.now()
    for key in keys:
        standing = (
            Objection.objects.filter(subject=request.subject, activity=key)
            .exclude(status=Objection.Status.OVERRIDDEN)
            .exists()
        )
        if standing:
            continue
        objection = Objection.objects.create(
            subject=request.subject,
            request=request,
            activity=key,
            direct_marketing=is_direct_marketing(key),
            objected_at=now,
        )
        _audit_objection(
            objection, actor=actor, action="create", reason=f"objection to {key} in force"
        )
    names = _activity_names(keys, request.language)
    if keys and all(is_direct_marketing(key) for key in keys):
        # Nothing to weigh: Art. 21(3) leaves no room for grounds.
        _close(
            request,
            status=Request.Status.COMPLETED,
            outcome=f"Objection to direct marketing in force: {', '.join(keys)}.",
        )
    else:
        request.outcome = f"Objection in force, grounds being assessed: {', '.join(keys)}."
        request.save(update_fields=["outcome"])
        _tell_staff(
            request,
            template="staff_new_request",
            subject_line=f"An objection needs you: assess grounds by {request.due_at:%Y-%m-%d}",
        )
    _audit(
        request,
        actor=actor,
        action="change",
        reason=f"objection to processing on legitimate interests in force: {', '.join(keys)}",
    )
    _tell_person(
        request,
        template="objected_processing",
        subject_line=_("Your objection is in force"),
        context={"activities": names},
    )


def _locked_objection(objection_id: int) -> Objection:
    """The objection, locked after its person's row: the one lock order (steps._locked)."""
    lock_subject_of(Objection.objects.filter(pk=objection_id))
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("subject", "request")
        .filter(pk=objection_id)
        .first()
    )
    if objection is None:
        raise RequestNotAllowed(gettext("This objection does not exist."))
    return objection


def record_objection_grounds(
    *, objection_id: int, ground: str, reason: str, actor: str
) -> Objection:
    """Staff record why the processing should continue despite the objection: compelling
    legitimate grounds which override the person's interests, rights and freedoms, or legal
    claims (Art. 21(1)). Nothing changes for the person until someone else reviews them; an
    objection to direct marketing takes no grounds at all (Art. 21(3)).

    Raises ValidationError with a clear message, storing nothing, for a missing ground or reason.
    """
    reason = reason.strip()[:4000]
    if ground not in Objection.Ground.values:
        raise ValidationError(
            gettext(
                "Choose the ground: compelling legitimate grounds, or the establishment, "
                "exercise or defence of legal claims."
            ),
            code="ground",
        )
    if not reason:
        raise ValidationError(
            gettext("Write the grounds in full: the person is sent them once they are reviewed."),
            code="reason",
        )
    with _one_step():
        objection = _locked_objection(objection_id)
        if objection.direct_marketing:
            raise RequestNotAllowed(
                gettext(
                    "An objection to direct marketing is absolute (GDPR Art. 21(3)): no grounds "
                    "can override it."
                ),
                code="direct_marketing",
            )
        if objection.status != Objection.Status.IN_FORCE:
            raise RequestNotAllowed(
                gettext("Grounds can be recorded only for an objection in force without them.")
            )
        objection.status = Objection.Status.GROUNDS_RECORDED
        objection.ground = ground
        objection.grounds_reason = reason
        objection.grounds_recorded_by = actor
        objection.grounds_recorded_at = timezone.now()
        objection.save()
        _audit_objection(
            objection,
            actor=actor,
            action="change",
            reason=f"grounds recorded ({ground}), waiting for review; processing still stopped",
        )
        _tell_reviewers(objection)
    return objection


def _tell_reviewers(objection: Objection) -> None:
    url = _absolute_url(reverse("admin:rights_objection_review", args=[objection.pk]))
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "rights/email/staff_review_grounds.txt", {"objection": objection, "review_url": url}
        )
    for address in settings.WEKST_STAFF_EMAILS:
        queue_email(
            to=address,
            subject_line="Grounds against an objection wait for review by someone else",
            body=body,
            purpose=ACTIVITY,
            subject=objection.subject,
        )


def review_objection_grounds(
    *, objection_id: int, actor: str, uphold: bool, note: str = ""
) -> Objection:
    """A second member of staff (or the privacy officer), never the one who recorded them,
    reviews the grounds (RG-15). Upheld: the objection is overridden, the processing resumes, and
    the person is sent the decision with the grounds, the right to complain to Datatilsynet and
    the right to a judicial remedy (Art. 12(4), 21(1), 77, 79). Not upheld: the objection stays in
    force and the grounds are set aside (the audit log keeps that they were recorded)."""
    note = " ".join(note.split())[:300]
    with _one_step():
        objection = _locked_objection(objection_id)
        if objection.status != Objection.Status.GROUNDS_RECORDED:
            raise RequestNotAllowed(gettext("There are no recorded grounds waiting for review."))
        if actor == objection.grounds_recorded_by:
            raise RequestNotAllowed(
                gettext(
                    "Someone other than the person who recorded the grounds must review them: "
                    "ask a colleague or the privacy officer."
                ),
                code="same_reviewer",
            )
        if not uphold:
            recorded_by = objection.grounds_recorded_by
            objection.status = Objection.Status.IN_FORCE
            objection.ground = ""
            objection.grounds_reason = ""
            objection.grounds_recorded_by = ""
            objection.grounds_recorded_at = None
            objection.save()
            _audit_objection(
                objection,
                actor=actor,
                action="change",
                reason=f"grounds recorded by {recorded_by} not upheld on review; "
                "objection stays in force" + (f". Note: {note}" if note else ""),
            )
            return objection
        objection.status = Objection.Status.OVERRIDDEN
        objection.reviewed_by = actor
        objection.reviewed_at = timezone.now()
        objection.save()
        _audit_objection(
            objection,
            actor=actor,
            action="change",
            reason="grounds reviewed and upheld: objection overridden"
            + (f". Note: {note}" if note else ""),
        )
        _send_decision(objection, actor=actor)
    return objection


def _send_decision(objection: Objection, *, actor: str) -> None:
    request = objection.request
    language = request.language if request is not None else settings.LANGUAGE_CODE
    to = objection.subject.email or (request.email if request is not None else "")
    if not to:
        raise RequestNotAllowed("The person has no email address: send the decision by post.")
    activity = get_declaration().activities.get(objection.activity)
    with translation.override(language):
        _tell(
            to=to,
            language=language,
            subject=objection.subject,
            template="objection_decision",
            subject_line=_("Our decision on your objection"),
            context={
                "objection": objection,
                "activity": activity.name.in_language(language) if activity else "",
                "ground": objection.get_ground_display(),
            },
        )
    _audit_objection(
        objection, actor=actor, action="notify", reason="decision and its reasons sent to person"
    )
    if request is not None and request.status in OPEN_STATUSES:
        waiting = request.objections.exclude(pk=objection.pk).filter(
            status=Objection.Status.GROUNDS_RECORDED
        )
        if not waiting.exists():
            _close(
                request,
                status=Request.Status.COMPLETED,
                outcome=f"Objection to {objection.activity} overridden by reviewed grounds; "
                "any other objection of this request stays in force.",
            )
            _audit(request, actor=actor, action="change", reason="objection request completed")
