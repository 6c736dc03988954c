"""Recording who a breach affects and telling them (GDPR Art. 34; SEC-02)."""

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from breaches.models import Breach, BreachNotice
from breaches.selectors import contact_point
from declaration.selectors import get_declaration
from mail.models import OutgoingEmail
from mail.services import queue_email
from subjects.models import Subject
from subjects.selectors import find_subjects

# The declared activities the notices are sent for (declaration.yaml).
NOTICE_PURPOSE = "breach_notices"
CLINIC_NOTICE_PURPOSE = "client_services"
# Both languages in one message: the people affected may read either (checklist SB-07).
NOTICE_SUBJECT_LINE = (
    "Viktig: et sikkerhetsbrudd som gjelder opplysninger om deg / "
    "Important: a security breach affecting your personal data"
)


# How far ahead of the server's clock a recorded notification time may be: the clock of the
# computer it was read from may run a little ahead.
NOTIFIED_AT_CLOCK_TOLERANCE = datetime.timedelta(minutes=5)


class NoticeRefused(Exception):
    """The notice may not be sent (yet); the message says why, for staff."""


@dataclass(frozen=True)
class Resolved:
    subjects: list[Subject]
    unknown: list[str]


def resolve_affected(*, references: list[str]) -> Resolved:
    """Subjects named by email address or public id, one per reference; the rest are unknown.

    Only people already in the subject index can be linked: a breach does not create records.
    """
    subjects, unknown = {}, []
    for reference in (r.strip() for r in references):
        if not reference:
            continue
        found = None
        try:
            found = Subject.objects.filter(public_id=uuid.UUID(reference)).first()
        except ValueError:
            found = find_subjects(email=reference).first() if "@" in reference else None
        if found is None:
            unknown.append(reference)
        else:
            subjects[found.pk] = found
    return Resolved(subjects=list(subjects.values()), unknown=unknown)


def add_affected_subjects(*, breach: Breach, subjects: list[Subject]) -> int:
    """Link the people affected to the breach (once each); returns how many were new."""
    with transaction.atomic():
        before = breach.affected_subjects.count()
        breach.affected_subjects.add(*subjects)
        return breach.affected_subjects.count() - before


def notice_body(breach: Breach) -> str:
    """The notice for the people affected: nature, likely consequences, measures, contact point
    (Art. 34(2), which refers to Art. 33(3)(b)-(d))."""
    declaration = get_declaration()
    return render_to_string(
        "breaches/notice_email.txt",
        {
            "breach": breach,
            "controller": declaration.controller,
            "authority": declaration.supervisory_authority,
            "contact_point": contact_point(breach),
        },
    ).strip()


def clinic_notice_body(breach: Breach) -> str:
    """The facts known so far, for the clinic whose data it was (Art. 33(2), 33(3); CL-05)."""
    declaration = get_declaration()
    return render_to_string(
        "breaches/clinic_email.txt",
        {
            "breach": breach,
            "controller": declaration.controller,
            "contact_point": contact_point(breach),
        },
    ).strip()


def notify_clinic(*, breach_id: int, actor: str) -> OutgoingEmail:
    """Tell the clinic whose data Wekst processes that a breach affects it (Wekst as processor,
    Art. 33(2): without undue delay, project limit BREACH_CLINIC_NOTICE_HOURS). Once only; the
    email goes through the normal queue and the audit log records it."""
    with transaction.atomic():
        breach = (
            Breach.objects.select_for_update(of=("self",))
            .select_related("clinic")
            .get(pk=breach_id)
        )
        if breach.clinic is None:
            raise NoticeRefused("No clinic is recorded for this breach.")
        if breach.clinic_notified_at is not None:
            raise NoticeRefused("The clinic was notified already.")
        if not breach.clinic.email:
            raise NoticeRefused(
                "The clinic has no privacy contact address on record: add it to the clinic first."
            )
        email = queue_email(
            to=breach.clinic.email,
            subject_line=f"Personal data breach affecting {breach.clinic.name} (Wekst as processor)"[
                :200
            ],
            body=clinic_notice_body(breach),
            purpose=CLINIC_NOTICE_PURPOSE,
        )
        breach.clinic_notified_at = timezone.now()
        breach.save(update_fields=["clinic_notified_at", "updated_at"])
        record_event(
            actor=actor,
            action="notify",
            object_type="breaches.Breach",
            object_id=breach.pk,
            reason=f"clinic {breach.clinic_id} notified (Art. 33(2))",
        )
    return email


def record_authority_notification(
    *,
    breach_id: int,
    notified_at: datetime.datetime,
    reference: str,
    actor: str,
    partial: bool = False,
    reasons_for_delay: str = "",
) -> Breach:
    """Record that Datatilsynet was notified (in Altinn, outside the system: Art. 33(1), (4)).
    Once only, like the notices the system sends: a page opened before a colleague recorded it
    cannot write it back empty or record a second one (the field is not on the breach's form).

    Raises NoticeRefused when a notification is recorded already, ValidationError when the time
    is in the future (beyond a few minutes of clock difference: once recorded it cannot be
    corrected) or fails the model's checks (not before awareness, reasons when late); records
    nothing then.
    """
    if notified_at > timezone.now() + NOTIFIED_AT_CLOCK_TOLERANCE:
        raise ValidationError(
            {"notified_at": _("The notification cannot have been sent in the future.")}
        )
    with transaction.atomic():
        breach = Breach.objects.select_for_update().get(pk=breach_id)
        if breach.authority_notified_at is not None:
            raise NoticeRefused("A notification to Datatilsynet is recorded already.")
        breach.authority_notified_at = notified_at
        breach.authority_reference = reference.strip()[:100] or breach.authority_reference
        breach.authority_notification_partial = partial
        breach.reasons_for_delay = reasons_for_delay.strip() or breach.reasons_for_delay
        breach.clean()
        breach.save(
            update_fields=[
                "authority_notified_at",
                "authority_reference",
                "authority_notification_partial",
                "reasons_for_delay",
                "updated_at",
            ]
        )
        record_event(
            actor=actor,
            action="notify",
            object_type="breaches.Breach",
            object_id=breach.pk,
            reason="notification to Datatilsynet recorded (Art. 33)"
            + (", partial" if partial else ""),
        )
    return breach


def send_breach_notices(*, breach_id: int, actor: str) -> int:
    """Queue the notice to every person affected who has an email address and has not had it.

    Only for a breach assessed as high risk with no Art. 34(3) exception recorded. Each notice
    goes through mail.queue_email (stored, retried until sent) in this transaction, and is in the
    audit log as "notify" with the person's public id. Returns how many were queued now.
    """
    with transaction.atomic():
        breach = Breach.objects.select_for_update().get(pk=breach_id)
        if breach.risk != Breach.Risk.HIGH:
            raise NoticeRefused(
                "Notices go to the people affected when the risk is assessed as high."
            )
        if breach.art34_exception:
            raise NoticeRefused(
                "An Art. 34(3) exception is recorded for this breach: no individual notices."
            )
        if not (breach.what_happened.strip() and breach.likely_consequences.strip()):
            raise NoticeRefused(
                "Describe what happened and the likely consequences first: the notice says both."
            )
        body = notice_body(breach)
        already = set(breach.notices.values_list("subject_id", flat=True))
        queued = 0
        for subject in (
            breach.affected_subjects.exclude(pk__in=already).exclude(email=None).exclude(email="")
        ):
            email = queue_email(
                to=subject.email,
                subject_line=NOTICE_SUBJECT_LINE,
                body=body,
                purpose=NOTICE_PURPOSE,
                subject=subject,
            )
            BreachNotice.objects.create(breach=breach, subject=subject, email=email)
            record_event(
                actor=actor,
                action="notify",
                object_type="breaches.Breach",
                object_id=breach.pk,
                subject_ref=subject.public_id,
                reason="breach notice to the person affected (Art. 34)",
            )
            queued += 1
        if queued and breach.subjects_notified_at is None:
            breach.subjects_notified_at = timezone.now()
            breach.save(update_fields=["subjects_notified_at", "updated_at"])
    return queued
