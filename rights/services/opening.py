"""Opening a request: receiving it (through the portal or from staff), verifying the person by
link, and acting at once on what needs no review (GDPR Art. 12(2),(3),(6), 15-21; RIG-01, RIG-02).
The links themselves, and the requests whose link lapsed unused: rights.services.links.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rights.models import Request
from rights.selectors import get_request_by_token
from rights.services.access import _make_report_available
from rights.services.clinics import _forward_to_clinic
from rights.services.links import LinkExpired, LinkInvalid, _link_url, _new_link
from rights.services.objections import (
    apply_objection_to_marketing,
    apply_objection_to_processing,
    clean_objected_activities,
)
from rights.services.restriction import _apply_restriction
from rights.services.steps import (
    PERSON,
    SYSTEM,
    _audit,
    _language,
    _locked,
    _one_step,
    _person_locked,
    _tell_person,
    _tell_staff,
)
from rights.services.withdrawal import _apply_withdrawal
from rights.tokens import hash_token
from subjects.models import Subject
from wekst.addresses import normalise_email
from wekst.deadlines import due_at

STAFF_CHANNELS = (Request.ReceivedVia.EMAIL, Request.ReceivedVia.LETTER, Request.ReceivedVia.PHONE)
CHILD_REPORT_CHECK = (
    "Not needed: a report that a child's data was given (GDPR Art. 8, 17(1)(f)); "
    "staff check the report before erasing."
)
LINK_CHECK = "A single-use link sent to the address given was used."
# What a rectification may correct by itself, in every record that has the field; anything else
# the person asks is corrected by staff by hand.
CORRECTABLE_FIELDS = ("name", "phone", "company", "role")


def open_request(
    *,
    kind: str,
    email: str,
    received_via: str = "portal",
    details: str = "",
    due_in_days: int | None = None,
    identity_check: str = "",
    clinic_name: str = "",
    clinic_email: str = "",
    corrections: dict[str, str] | None = None,
    consent_ids: list[str] | tuple[str, ...] = (),
    analytics_client_ids: list[str] | tuple[str, ...] = (),
    objected_activities: list[str] | tuple[str, ...] = (),
    language: str = "",
    actor: str = "",
) -> Request:
    """Record a request to exercise a right (Art. 15-21) and start its clock (Art. 12(3)).

    Through the portal (`received_via="portal"`): nothing is looked up and nothing is disclosed;
    the request waits for the person to use the single-use, expiring link queued to the address,
    so a known and an unknown address take the same path and get the same answer (RIG-02).
    Received by staff (email, letter, phone): `identity_check` must say how identity was checked,
    and the request is verified at once. A report that a child's data was given
    (`received_via="child_report"`, kind "erasure") needs no verification and may carry a shorter
    deadline (`due_in_days`). Due one calendar month from receipt otherwise.
    Raises ValidationError for bad input, and stores nothing then.
    """
    _check_kind_and_channel(kind=kind, received_via=received_via)
    email = _checked_address(email)
    if clinic_email:
        validate_email(clinic_email)
    identity_check = _checked_identity_check(identity_check, received_via=received_via)
    _check_shorter_deadline(due_in_days)
    now = timezone.now()
    request = Request(
        kind=kind,
        received_via=received_via,
        email=email,
        details=details.strip()[:5000],
        corrections=_correctable(corrections or {}),
        consent_ids=[str(i) for i in consent_ids][:10],
        analytics_client_ids=[str(i) for i in analytics_client_ids][:10],
        objected_activities=clean_objected_activities(kind=kind, activities=objected_activities),
        language=_language(language),
        received_at=now,
        due_at=due_at(now, days=due_in_days),
        clinic_name=" ".join(clinic_name.split())[:200],
        clinic_email=normalise_email(clinic_email),
        opened_by=actor if received_via != Request.ReceivedVia.PORTAL else "",
    )
    with _one_step():
        if received_via == Request.ReceivedVia.PORTAL:
            _receive_through_portal(request)
        else:
            _receive_from_staff(request, identity_check=identity_check, actor=actor or SYSTEM)
    return request


# Checking what was asked: each raises ValidationError, before anything is stored ----------------


def _check_kind_and_channel(*, kind: str, received_via: str) -> None:
    if kind not in Request.Kind.values:
        raise ValidationError(gettext("Please choose what you would like us to do."), "kind")
    if received_via not in Request.ReceivedVia.values:
        raise ValidationError(f"Unknown channel {received_via!r}.", "received_via")


def _checked_address(email: str) -> str:
    email = normalise_email(email)
    validate_email(email)
    return email


def _checked_identity_check(identity_check: str, *, received_via: str) -> str:
    """How staff checked the person's identity: required for a request they received."""
    identity_check = " ".join(identity_check.split())[:300]
    if received_via in STAFF_CHANNELS and not identity_check:
        raise ValidationError(
            gettext("Record how the person's identity was checked."), "identity_check"
        )
    return identity_check


def _check_shorter_deadline(due_in_days: int | None) -> None:
    if due_in_days is not None and not 0 < due_in_days <= 31:
        raise ValidationError("A shorter deadline must be 1 to 31 days.", "due_in_days")


def _correctable(corrections: dict[str, str]) -> dict[str, str]:
    """The corrections a rectification may apply by itself; the rest is for staff by hand."""
    return {
        key: " ".join(str(value).split())[:200]
        for key, value in corrections.items()
        if key in CORRECTABLE_FIELDS and str(value).strip()
    }


# Receiving it -------------------------------------------------------------------------------


def _receive_through_portal(request: Request) -> None:
    """Stored unverified, and a link queued to the address given: nothing more until it is used."""
    token = _new_link(request)
    request.save()
    _audit(
        request,
        actor=PERSON,
        action="create",
        reason=f"{request.kind} request received via portal",
    )
    _send_verification_link(request, token=token)


def _receive_from_staff(request: Request, *, identity_check: str, actor: str) -> None:
    """Staff checked identity already (or a child report needs none): on to the next step."""
    # The person's row before the audit chain, in the one lock order of rights (steps._locked).
    child_report = request.received_via == Request.ReceivedVia.CHILD_REPORT
    subject = _person_locked(email=request.email, create=not child_report)
    request.save()
    _audit(
        request,
        actor=actor,
        action="create",
        reason=f"{request.kind} request received via {request.received_via}",
    )
    if child_report:
        _open_child_report(request, subject=subject, identity_check=identity_check, actor=actor)
    else:
        _verify(request, subject=subject, identity_check=identity_check, actor=actor)


def _send_verification_link(request: Request, *, token: str) -> None:
    # Not linked to a subject: nothing about the address is looked up before verification.
    _tell_person(
        request,
        template="verify",
        subject_line=_("Confirm your privacy request to Wekst"),
        context={
            "link": _link_url(token, request.language),
            "hours": settings.RIGHTS_VERIFICATION_HOURS,
        },
        link_subject=False,
    )


def _open_child_report(
    request: Request, *, subject: Subject | None, identity_check: str, actor: str
) -> None:
    """A report that a child's data was given: straight to the queue for staff, who erase. The
    child's data is found (`subject`, locked), never created, and nothing is sent to the child's
    address."""
    request.subject = subject
    request.status = Request.Status.OPEN
    request.verified_at = timezone.now()
    request.identity_check = identity_check or CHILD_REPORT_CHECK
    request.save(update_fields=["subject", "status", "verified_at", "identity_check"])
    _audit(request, actor=actor, action="change", reason="child report queued for erasure")
    _tell_staff(
        request,
        template="staff_new_request",
        subject_line="A privacy request needs you: report that a child's data was given",
    )


# Verifying it -------------------------------------------------------------------------------


def verify_request(*, token: str) -> Request:
    """Use a portal link: the first use verifies the request (RIG-02); a link issued later for a
    verified request just lets the person back in. Each link works once.

    Raises LinkExpired after RIGHTS_VERIFICATION_HOURS, LinkInvalid for an unknown or used link.
    """
    with transaction.atomic():
        found = get_request_by_token(token=token)
        request = found and _locked(found.pk)
        if request is None or request.verification_token_hash != hash_token(token):
            raise LinkInvalid
        if (
            request.verification_expires_at is None
            or request.verification_expires_at <= timezone.now()
        ):
            raise LinkExpired
        request.verification_token_hash = ""
        request.verification_expires_at = None
        request.save(update_fields=["verification_token_hash", "verification_expires_at"])
        if request.status == Request.Status.UNVERIFIED:
            # Taken after the request, which is linked to no one yet, so nothing about the person
            # can be waiting for it; before the audit chain, as every step (steps._locked).
            subject = _person_locked(email=request.email, create=True)
            _verify(request, subject=subject, identity_check=LINK_CHECK, actor=PERSON)
        else:
            _audit(request, actor=PERSON, action="view", reason="portal link used")
    return request


def _verify(request: Request, *, subject: Subject, identity_check: str, actor: str) -> None:
    """Identity is established: link the request to the person (`subject`, their row locked:
    steps._person_locked) and act on what needs no review."""
    request.subject = subject
    request.status = Request.Status.OPEN
    request.verified_at = timezone.now()
    request.identity_check = identity_check
    request.save(update_fields=["subject", "status", "verified_at", "identity_check"])
    via = "link" if actor == PERSON else "staff"
    _audit(request, actor=actor, action="change", reason=f"identity verified ({via})")
    if request.clinic_email:
        # Wekst is the clinic's processor here: the clinic decides (Art. 28(3)(e); CL-04).
        _forward_to_clinic(request, actor=actor)
        return
    if request.clinic_name:
        _tell_staff(
            request,
            template="staff_new_request",
            subject_line="A privacy request needs you: forward it to a clinic",
        )
        return
    handler = {
        Request.Kind.ACCESS: _make_report_available,
        Request.Kind.PORTABILITY: _make_report_available,
        Request.Kind.RESTRICTION: _apply_restriction,
        Request.Kind.OBJECTION: apply_objection_to_marketing,
        Request.Kind.OBJECTION_LI: apply_objection_to_processing,
        Request.Kind.WITHDRAWAL: _apply_withdrawal,
    }.get(request.kind)
    if handler is not None:
        handler(request, actor=actor)
    else:
        # Rectification and erasure are reviewed by staff first (RIG-04, RIG-05).
        _tell_staff(
            request,
            template="staff_new_request",
            subject_line=f"A privacy request needs you: {request.kind}, due {request.due_at:%Y-%m-%d}",
        )
