"""Privacy requests: receiving, verifying and answering each right, on time, with an audit trail.

Policy §8 (your rights, "we will respond within one month", "we may need to verify your identity")
and §9 (the right to complain); GDPR Art. 12 and 15-21; conformance items RIG-01 to RIG-06.
Objections live in rights.objections, refusals in rights.refusals, the steps all share (audit,
emails, locking, closing) in rights.steps.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.selectors import entries_about
from audit.services import record_event
from declaration.selectors import get_declaration
from mail.services import queue_email
from rights import ledger
from rights.deadlines import MAX_EXTENSION_MONTHS, due_at
from rights.legal_duty import legal_duty_of
from rights.models import OPEN_STATUSES, ProcessorNotice, Request, Restriction
from rights.objections import (
    _restrict,
    apply_objection_to_marketing,
    apply_objection_to_processing,
    clean_objected_activities,
    refuse_cookies,
)
from rights.passing_on import (  # noqa: F401 - the names other code and tests import from here
    PROCESSOR_MAX_BACKOFF,
    mark_processor_notice_done,
    pass_on_notice,
    processor_retry_delay,
    retry_processor_notice,
)
from rights.passing_on import enqueue_processor_notice as _enqueue_processor_notice  # noqa: F401
from rights.passing_on import mark_done as _mark_done  # noqa: F401
from rights.passing_on import pass_on_to_processors as _pass_on_to_processors
from rights.refusals import refuse_request  # noqa: F401 - the admin's and callers' name
from rights.reports import ErasureReport, KeptRecords
from rights.selectors import (
    get_request_by_token,
    identifiers_in_requests,
    lapsed_unverified_requests,
    processor_targets,
    requests_due_for_reminder,
)
from rights.steps import (
    ACTIVITY,
    PERSON,
    SYSTEM,
    RequestNotAllowed,
    _absolute_url,
    _admin_url,
    _audit,
    _close,
    _language,
    _locked,
    _tell,
    _tell_person,
    _tell_staff,
)
from rights.tokens import hash_token, new_token
from subjects.models import Subject
from subjects.normalise import normalise_email, normalise_phone
from subjects.selectors import find_subjects, records_of
from subjects.services import find_or_create_subject

logger = logging.getLogger(__name__)

STAFF_CHANNELS = (Request.ReceivedVia.EMAIL, Request.ReceivedVia.LETTER, Request.ReceivedVia.PHONE)
CHILD_REPORT_CHECK = (
    "Not needed: a report that a child's data was given (GDPR Art. 8, 17(1)(f)); "
    "staff check the report before erasing."
)
LINK_CHECK = "A single-use link sent to the address given was used."
# What a rectification may correct by itself, in every record that has the field; anything else
# the person asks is corrected by staff by hand.
CORRECTABLE_FIELDS = ("name", "phone", "company", "role")
SUPERSEDED_BY_ERASURE = "system:superseded_by_erasure"


class LinkInvalid(Exception):
    """A portal link that is unknown, malformed or already used."""


class LinkExpired(LinkInvalid):
    """A portal link used after it expired."""


# Receiving a request (RIG-01, RIG-02) ------------------------------------------------------


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
    if kind not in Request.Kind.values:
        raise ValidationError(gettext("Please choose what you would like us to do."), "kind")
    if received_via not in Request.ReceivedVia.values:
        raise ValidationError(f"Unknown channel {received_via!r}.", "received_via")
    email = normalise_email(email)
    validate_email(email)
    if clinic_email:
        validate_email(clinic_email)
    identity_check = " ".join(identity_check.split())[:300]
    if received_via in STAFF_CHANNELS and not identity_check:
        raise ValidationError(
            gettext("Record how the person's identity was checked."), "identity_check"
        )
    if due_in_days is not None and not 0 < due_in_days <= 31:
        raise ValidationError("A shorter deadline must be 1 to 31 days.", "due_in_days")
    corrections = {
        key: " ".join(str(value).split())[:200]
        for key, value in (corrections or {}).items()
        if key in CORRECTABLE_FIELDS and str(value).strip()
    }
    objected_activities = clean_objected_activities(kind=kind, activities=objected_activities)
    now = timezone.now()
    request = Request(
        kind=kind,
        received_via=received_via,
        email=email,
        details=details.strip()[:5000],
        corrections=corrections,
        consent_ids=[str(i) for i in consent_ids][:10],
        analytics_client_ids=[str(i) for i in analytics_client_ids][:10],
        objected_activities=objected_activities,
        language=_language(language),
        received_at=now,
        due_at=due_at(now, days=due_in_days),
        clinic_name=" ".join(clinic_name.split())[:200],
        clinic_email=normalise_email(clinic_email),
        opened_by=actor if received_via != Request.ReceivedVia.PORTAL else "",
    )
    with transaction.atomic():
        if received_via == Request.ReceivedVia.PORTAL:
            token = _new_link(request)
            request.save()
            _audit(
                request, actor=PERSON, action="create", reason=f"{kind} request received via portal"
            )
            _send_verification_link(request, token=token)
            return request
        request.save()
        _audit(
            request,
            actor=actor or SYSTEM,
            action="create",
            reason=f"{kind} request received via {received_via}",
        )
        if received_via == Request.ReceivedVia.CHILD_REPORT:
            _open_child_report(request, identity_check=identity_check, actor=actor or SYSTEM)
        else:
            _verify(request, identity_check=identity_check, actor=actor or SYSTEM)
    return request


def _new_link(request: Request) -> str:
    token = new_token()
    request.verification_token_hash = hash_token(token)
    request.verification_expires_at = timezone.now() + datetime.timedelta(
        hours=settings.RIGHTS_VERIFICATION_HOURS
    )
    return token


def _link_url(token: str, language: str) -> str:
    with translation.override(language):
        return _absolute_url(reverse("rights:verify", kwargs={"token": token}))


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


def _open_child_report(request: Request, *, identity_check: str, actor: str) -> None:
    """A report that a child's data was given: straight to the queue for staff, who erase. The
    child's data is found, never created, and nothing is sent to the child's address."""
    request.subject = find_subjects(email=request.email).first()
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
            _verify(request, identity_check=LINK_CHECK, actor=PERSON)
        else:
            _audit(request, actor=PERSON, action="view", reason="portal link used")
    return request


def _verify(request: Request, *, identity_check: str, actor: str) -> None:
    """Identity is established: link the request to the person and act on what needs no review."""
    request.subject = find_or_create_subject(email=request.email)
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


def issue_new_link(*, public_id: str) -> None:
    """Send a fresh single-use link to the address of a verified access or portability request,
    so the person can fetch their report again. Does nothing (silently) for any other id: the
    page says the same whatever happened."""
    from rights.selectors import report_is_available

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
        _tell_person(
            request,
            template="new_link",
            subject_line=_("Your link to your data at Wekst"),
            context={
                "link": _link_url(token, request.language),
                "hours": settings.RIGHTS_VERIFICATION_HOURS,
            },
        )


# Access and portability (RIG-03) ------------------------------------------------------------


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
    with transaction.atomic():
        request = _locked(request_id)
        if request.kind not in (Request.Kind.ACCESS, Request.Kind.PORTABILITY):
            raise RequestNotAllowed("Only access and portability requests have a report.")
        if request.status not in OPEN_STATUSES or not request.email:
            raise RequestNotAllowed("The request must be open and have an email address.")
        token = _new_link(request)
        request.save(update_fields=["verification_token_hash", "verification_expires_at"])
        _close(request, status=Request.Status.COMPLETED, outcome="A link to the report was sent.")
        _audit(request, actor=actor, action="notify", reason="report link sent to the person")
        _tell_person(
            request,
            template="new_link",
            subject_line=_("Your link to your data at Wekst"),
            context={
                "link": _link_url(token, request.language),
                "hours": settings.RIGHTS_VERIFICATION_HOURS,
            },
        )
    return request


def record_report_export(*, request: Request, actor: str, format: str) -> None:
    """An access report was viewed or downloaded: an audit entry (SEC-01) in its own commit."""
    with transaction.atomic():
        _audit(request, actor=actor, action="export", reason=f"access report as {format}")


# Restriction, objection, withdrawal (RIG-05) -----------------------------------------------


def _apply_restriction(request: Request, *, actor: str) -> None:
    """Art. 18: the data is kept but no longer used for marketing email or profiling, here and
    at each processor holding it, which is told through its connector (Art. 19; RG-12)."""
    _restriction, created = _restrict(request, kind=Restriction.Kind.RESTRICTION)
    passed_on: list[str] = []
    if created:  # a restriction already in force was passed on when it began
        subject = request.subject
        # No client ids: Google Analytics holds nothing a restriction could apply to.
        targets = processor_targets(subject, records_of(subject), client_ids=set())
        passed_on = _pass_on_to_processors(
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


def _apply_withdrawal(request: Request, *, actor: str) -> None:
    """Art. 7(3): consent is withdrawn at once, as easily as it was given; what was done before
    stays lawful. Ends the newsletter subscription and refuses cookies for the consent ids given."""
    from newsletter.services import unsubscribe

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
    with transaction.atomic():
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


# Rectification (RIG-05) --------------------------------------------------------------------


def apply_rectification(*, request_id: int, actor: str) -> Request:
    """Apply the person's corrections, after staff review, to every record holding the field
    (Art. 16; checklist RG-10), pass them on to each processor holding a corrected field
    (Art. 19; RG-12), and tell the person what was corrected and who was told."""
    with transaction.atomic():
        request = _locked(request_id)
        if request.kind != Request.Kind.RECTIFICATION or request.status != Request.Status.OPEN:
            raise RequestNotAllowed("Only an open rectification request can be applied.")
        if not request.corrections or request.subject is None:
            raise RequestNotAllowed(
                "The request has no corrections to apply: correct by hand, then complete it."
            )
        subject = request.subject
        records = records_of(subject)
        # The processors know the person by what we sent them, so they are found before the
        # correction changes it (a corrected phone number, say).
        targets = processor_targets(subject, records, client_ids=set())
        declared = get_declaration().personal_data_fields
        corrected: dict[str, int] = defaultdict(int)
        categories: dict[str, set[str]] = defaultdict(set)  # field -> data categories it holds
        for label, queryset in records.items():
            if label.startswith("rights."):
                continue
            names = {f.name for f in queryset.model._meta.concrete_fields}
            changes = {k: v for k, v in request.corrections.items() if k in names}
            if changes:
                count = queryset.update(**changes)
                corrected[label] += count
                if count:
                    for name in changes:
                        categories[name].add(declared.get(label, {}).get(name, ""))
        values = dict(request.corrections)
        if "phone" in request.corrections:
            values["phone"] = normalise_phone(request.corrections["phone"])
            Subject.objects.filter(pk=request.subject_id).update(phone=values["phone"])
            corrected["subjects.Subject"] += 1
            categories["phone"].add(declared.get("subjects.Subject", {}).get("phone", ""))
        passed_on = _pass_on_to_processors(
            kind=ProcessorNotice.Kind.RECTIFICATION,
            targets=targets,
            subject_ref=str(subject.public_id),
            request=request,
            changes={
                processor: _changes_held_by(processor, values=values, categories=categories)
                for processor in targets
            },
        )
        fields = ", ".join(sorted(request.corrections))
        _close(
            request,
            status=Request.Status.COMPLETED,
            outcome=f"Corrected {fields} in {sum(corrected.values())} record(s)."
            + _passed_on_text(passed_on),
        )
        _audit(request, actor=actor, action="change", reason=f"rectification applied: {fields}")
        _tell_person(
            request,
            template="rectified",
            subject_line=_("Your data at Wekst is corrected"),
            context={"fields": sorted(request.corrections), "passed_on_to": passed_on},
        )
    return request


def _changes_held_by(
    processor: str, *, values: dict[str, str], categories: dict[str, set[str]]
) -> dict[str, str]:
    """The corrected values a processor holds: those whose data category (as the declaration
    classifies the corrected records) is among the categories it receives. Nothing more is sent
    (Art. 5(1)(c))."""
    held = set(get_declaration().recipients[processor].data_categories)
    return {name: value for name, value in values.items() if categories.get(name, set()) & held}


# Clinics (PRO-03, CL-04) -------------------------------------------------------------------


def forward_to_clinic(*, request_id: int, actor: str) -> Request:
    """Pass a request about data Wekst processes for a clinic to that clinic, the controller, and
    tell the person; Wekst then acts only on the clinic's instruction (Art. 28(3)(e))."""
    with transaction.atomic():
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


# Deadlines (RIG-06) ------------------------------------------------------------------------


def extend_request(*, request_id: int, months: int, reason: str, actor: str) -> Request:
    """Extend the deadline by one or two months (at most two in all), with a recorded reason, and
    tell the person why, before the first month ends (Art. 12(3); checklist RG-04)."""
    reason = reason.strip()[:1000]
    if not reason:
        raise RequestNotAllowed(gettext("Record the reason for the extension."))
    if months not in (1, 2):
        raise RequestNotAllowed(gettext("A request can be extended by one or two months."))
    with transaction.atomic():
        request = _locked(request_id)
        if request.status not in OPEN_STATUSES:
            raise RequestNotAllowed("Only an open request can be extended.")
        total = request.extended_by_months + months
        if total > MAX_EXTENSION_MONTHS:
            raise RequestNotAllowed(
                gettext("A request can be extended by at most two months in all.")
            )
        if timezone.now() > due_at(request.received_at):
            raise RequestNotAllowed(
                gettext(
                    "An extension must be decided, and the person told, within the first month."
                )
            )
        request.extended_by_months = total
        request.due_at = max(request.due_at, due_at(request.received_at, extension_months=total))
        stamp = timezone.localdate().isoformat()
        request.extension_reason = "\n".join(
            line for line in (request.extension_reason, f"{stamp} +{months}: {reason}") if line
        )
        request.save(update_fields=["extended_by_months", "due_at", "extension_reason"])
        _audit(
            request, actor=actor, action="change", reason=f"deadline extended by {months} month(s)"
        )
        _tell_person(
            request,
            template="extended",
            subject_line=_("We need more time to answer your privacy request"),
            context={"reason": reason},
        )
    return request


def send_deadline_reminders(
    *, now: datetime.datetime | None = None, within_days: int | None = None
) -> int:
    """Remind staff of open requests due within `within_days` (RIGHTS_REMINDER_DAYS) or overdue,
    once per deadline (an extension sets a new one); returns how many were in the reminder.

    The reminder names requests by reference, kind and deadline only. For the daily schedule and
    `manage.py send_deadline_reminders`.
    """
    now = now or timezone.now()
    within = settings.RIGHTS_REMINDER_DAYS if within_days is None else within_days
    with transaction.atomic():
        due = list(
            requests_due_for_reminder(now=now, within_days=within).select_for_update(of=("self",))
        )
        if not due:
            return 0
        rows = []
        for r in due:
            days = (timezone.localtime(r.due_at).date() - timezone.localtime(now).date()).days
            rows.append(
                {"request": r, "days_left": days, "overdue_days": -days, "admin_url": _admin_url(r)}
            )
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string("rights/email/staff_reminder.txt", {"rows": rows})
        for address in settings.WEKST_STAFF_EMAILS:
            queue_email(
                to=address,
                subject_line=f"Privacy requests due soon: {len(due)}",
                body=body,
                purpose=ACTIVITY,
            )
        for request in due:
            request.reminded_for_due_at = request.due_at
            request.save(update_fields=["reminded_for_due_at"])
            _audit(request, actor=SYSTEM, action="notify", reason="deadline reminder sent to staff")
    return len(due)


def delete_lapsed_requests(*, now: datetime.datetime | None = None) -> int:
    """Delete portal requests whose verification link expired unused: they were never valid
    requests, and their address is not kept (Art. 5(1)(c),(e))."""
    with transaction.atomic():
        return lapsed_unverified_requests(now=now or timezone.now()).delete()[0]


# Closing a request by hand ----------------------------------------------------------------


def complete_request(*, request_id: int, actor: str, outcome: str) -> Request:
    """Staff close a request answered another way (by post, or the clinic answered)."""
    outcome = outcome.strip()[:2000]
    if not outcome:
        raise RequestNotAllowed("Record what was done.")
    with transaction.atomic():
        request = _locked(request_id)
        if request.status not in OPEN_STATUSES:
            raise RequestNotAllowed("Only an open request can be completed.")
        _close(request, status=Request.Status.COMPLETED, outcome=outcome)
        _audit(request, actor=actor, action="change", reason="completed by staff")
    return request


# Erasure (RIG-04) --------------------------------------------------------------------------


def carry_out_erasure(*, request_id: int, actor: str) -> ErasureReport:
    """Carry out a verified erasure request after staff review, and tell the person what was
    erased, what was kept and why, and which processors it was passed on to (Art. 17, 19)."""
    with transaction.atomic():
        request = _locked(request_id)
        if request.kind != Request.Kind.ERASURE or request.status != Request.Status.OPEN:
            raise RequestNotAllowed("Only an open, verified erasure request can be carried out.")
        email, language = request.email, request.language
        if request.subject is None:
            report = ErasureReport(subject_ref="", erased_at=timezone.now())
        else:
            report = _erase_subject(
                subject=request.subject,
                actor=actor,
                reason=f"erasure request {request.public_id}",
                request=request,
            )
        request.refresh_from_db()
        request.erasure_report = report.as_json()
        request.save(update_fields=["erasure_report"])
        _close(request, status=Request.Status.COMPLETED, outcome="Erased; see the erasure report.")
        _audit(request, actor=actor, action="change", reason="erasure request completed")
        if email and request.received_via != Request.ReceivedVia.CHILD_REPORT:
            request.language = language
            # The last email to the person: linked to no subject, since the subject is erased.
            _tell_person(
                request,
                template="erased",
                subject_line=_("Your data at Wekst is erased"),
                context={"report": report},
                to=email,
                link_subject=False,
            )
    return report


def erase_subject(*, subject: Subject, actor: str, reason: str) -> ErasureReport:
    """Erase every record about a person and say what was erased, what was kept and why.

    For erasure requests, a report that a child's data was given (issue 8) and retention.
    """
    return _erase_subject(subject=subject, actor=actor, reason=reason)


def _erase_subject(
    *,
    subject: Subject,
    actor: str,
    reason: str,
    request: Request | None = None,
    write_ledger: bool = True,
) -> ErasureReport:
    # Dangerous by design: this deletes a person's data for good (Art. 17). Every record is found
    # through the subject index (records_of), so a new kind of record is erased the moment its
    # model links to the subject. A model that must outlive erasure says so itself
    # (rights.legal_duty.KeptUnderLegalDuty): only then is a record kept, with the law, the reason
    # and the end date in the report (Art. 17(3)(b),(e)). The processors that received the data
    # get the erasure through their connectors, retried until done (Art. 17(2), 19). The ledger
    # outside the database is written last, before the commit, so that a restored backup cannot
    # bring the person back: an erasure that then fails to commit is only re-applied, never lost.
    declaration = get_declaration()
    with transaction.atomic():
        subject = Subject.objects.select_for_update().get(pk=subject.pk)
        now = timezone.now()
        email, phone, ref = subject.email, subject.phone, str(subject.public_id)
        records = records_of(subject)
        consent_ids, client_ids = identifiers_in_requests(records)
        targets = processor_targets(subject, records, client_ids=client_ids)
        report = ErasureReport(subject_ref=ref, erased_at=now)
        erased: dict[str, int] = defaultdict(int)
        keep_subject = False
        for label, queryset in records.items():
            duty = legal_duty_of(queryset.model)
            if duty is not None:
                kept = list(duty.records_kept(queryset))
                if kept:
                    keep_subject = True
                    if duty.erase_fields:
                        queryset.model._default_manager.filter(pk__in=[r.pk for r in kept]).update(
                            **duty.erase_fields
                        )
                    rule = declaration.retention_rules[duty.retention_rule]
                    ends = [
                        rule.expires_after(start)
                        for start in (duty.start_of(r) for r in kept)
                        if start is not None
                    ]
                    report.kept.append(
                        KeptRecords(
                            label=label,
                            count=len(kept),
                            law=duty.law,
                            reason=str(duty.reason),
                            kept_until=(
                                timezone.localtime(max(ends)).date().isoformat()
                                if ends and None not in ends
                                else ""
                            ),
                        )
                    )
                    queryset = queryset.exclude(pk__in=[r.pk for r in kept])
            _count, per_model = queryset.delete()
            for model_label, count in per_model.items():
                if count:
                    erased[model_label] += count
        if consent_ids:
            from consent.models import ConsentDecision

            count = ConsentDecision.objects.filter(consent_id__in=consent_ids).delete()[0]
            if count:
                erased["consent.ConsentDecision"] += count
        audit_count = entries_about(ref).count()
        if audit_count:
            audit_rule = declaration.retention_rules["audit_record"]
            report.kept.append(
                KeptRecords(
                    label="audit.AuditEntry",
                    count=audit_count + 1,
                    law="GDPR Art. 5(2)",
                    reason=gettext(
                        "Entries of our audit log about what was done with your data, including "
                        "this erasure. They hold a random reference, not your data."
                    ),
                    kept_until=timezone.localtime(audit_rule.expires_after(now)).date().isoformat(),
                )
            )
        if keep_subject:
            # The kept records still point at the subject, which keeps only its random id.
            Subject.objects.filter(pk=subject.pk).update(email=None, phone="")
        else:
            subject.delete()
            erased["subjects.Subject"] += 1
        report.erased = dict(sorted(erased.items()))
        # A correction or restriction still waiting for a processor is superseded: the erasure
        # reaches the same processors, and the values and identifiers it holds must go too.
        ProcessorNotice.objects.filter(subject_ref=ref).exclude(
            kind=ProcessorNotice.Kind.ERASURE
        ).exclude(status=ProcessorNotice.Status.DONE).update(
            status=ProcessorNotice.Status.DONE,
            identifiers={},
            changes={},
            last_error="",
            next_attempt_at=None,
            completed_at=now,
            completed_by=SUPERSEDED_BY_ERASURE,
        )
        report.passed_on_to = _pass_on_to_processors(
            kind=ProcessorNotice.Kind.ERASURE, targets=targets, subject_ref=ref, request=request
        )
        record_event(
            actor=actor,
            action="erase",
            object_type="subjects.Subject",
            object_id=ref,
            subject_ref=ref,
            reason=reason[:300],
        )
        if write_ledger:
            ledger.record_erasure(email=email, phone=phone, at=now)
    return report


# Passing notices on to processors (Art. 17(2), 19; RG-12): rights.passing_on, shared with the
# retention sweep (RT-09); its names stay importable from here.


def _passed_on_text(names: list[str]) -> str:
    return f" Passed on to {', '.join(names)}." if names else ""


# After a restore (RIG-04) ------------------------------------------------------------------


def reapply_erasure_ledger(*, batch_size: int = 2000) -> dict[str, int]:
    """Erase again everyone the ledger says was erased, and restore objections' suppression
    entries: run after restoring a database backup, before the site serves traffic (RG-13).

    A subject is erased again only if it existed at the time of the erasure (created before it),
    so a person who came back afterwards (a new enquiry) is not erased by the replay.
    Returns counts: {"erased": subjects erased again, "suppressions": entries restored}.
    """
    from newsletter.models import Suppression

    erased_at: dict[str, datetime.datetime] = {}
    suppressions: set[str] = set()
    for entry in ledger.read_entries():
        if entry.event == ledger.ERASURE:
            for digest in entry.digests:
                if digest not in erased_at or erased_at[digest] < entry.at:
                    erased_at[digest] = entry.at
        elif entry.event == ledger.OBJECTION and entry.suppression_digest:
            suppressions.add(entry.suppression_digest)
    restored = 0
    for digest in sorted(suppressions):
        _entry, created = Suppression.objects.get_or_create(
            address_digest=digest, defaults={"reason": Suppression.Reason.OBJECTED}
        )
        restored += created
    digester = ledger.Digester()

    to_erase = []
    if erased_at:
        subjects = Subject.objects.exclude(email__isnull=True, phone="").only(
            "pk", "email", "phone", "created_at"
        )
        for subject in subjects.iterator(chunk_size=batch_size):
            candidates = []
            if subject.email:
                candidates += digester.email(subject.email)
            if subject.phone:
                candidates += digester.phone(subject.phone)
            if any(d in erased_at and subject.created_at <= erased_at[d] for d in candidates):
                to_erase.append(subject.pk)
    for pk in to_erase:
        subject = Subject.objects.filter(pk=pk).first()
        if subject is not None:
            _erase_subject(
                subject=subject,
                actor="system:reapply_erasure_ledger",
                reason="re-applied from the erasure ledger after a database restore",
                write_ledger=False,
            )
    return {"erased": len(to_erase), "suppressions": restored}
