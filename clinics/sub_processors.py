"""A clinic's sub-processors: which Wekst may use for the clinic's work on a given day, and a change
notified to the clinic with time to object before it is used (GDPR Art. 28(2), (4); CL-03, PT-04).

The sub-processors named in the clinic's agreement are authorised by the agreement itself. A
later addition or replacement is a `SubProcessorChange`: the clinic is emailed (through the mail
queue, in the same transaction, retried until delivered) with the last day to object; until that
day has passed without an objection (or the clinic authorised it specifically), the new
sub-processor is not in use for the clinic, and an objection keeps it out for good.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from audit.services import record_event
from clinics.models import Clinic, SubProcessorAuthorisation, SubProcessorChange
from clinics.selectors import current_agreement
from mail.services import queue_email
from processors.models import Recipient

# The time to object most DPAs give (and Wekst's standard agreement): a setting would add nothing,
# the period is the agreement's, so it is the default of the form and may be set per change.
OBJECTION_PERIOD = datetime.timedelta(days=30)
# The clinic is a client: a notice about its engagement is client service (declaration).
NOTICE_PURPOSE = "client_services"


class SubProcessorRefused(Exception):
    """The change cannot be recorded as asked; the message says why."""


def sub_processors_in_use(clinic: Clinic, *, on: datetime.date | None = None) -> list[Recipient]:
    """The sub-processors Wekst may use for the clinic's work `on` (today): those named in its
    current agreement, and those added later whose deadline to object passed without an
    objection under a general authorisation (or that the clinic authorised specifically), less those replaced by one in use or
    withdrawn. None without a current agreement. Every path that sends a clinic's data to a
    sub-processor asks this first (CL-03)."""
    on = on or timezone.localdate()
    agreement = current_agreement(clinic, on=on)
    if agreement is None:
        return []
    in_use = {recipient.pk: recipient for recipient in agreement.sub_processors.all()}
    # Under a specific authorisation only the clinic's yes counts; silence is not consent.
    allowed = ("authorised", "not_objected") if _is_general(agreement) else ("authorised",)
    changes = clinic.sub_processor_changes.select_related("recipient", "replaces")
    for change in sorted(changes, key=lambda c: c.notified_at):
        if change.withdrawn_on is not None and change.withdrawn_on <= on:
            in_use.pop(change.recipient_id, None)
            continue
        if change.decision(on) in allowed:
            in_use[change.recipient_id] = change.recipient
            if change.replaces_id is not None:
                in_use.pop(change.replaces_id, None)
    return sorted(in_use.values(), key=lambda recipient: recipient.name)


def may_use_sub_processor(clinic: Clinic, *, key: str, on: datetime.date | None = None) -> bool:
    """Whether the sub-processor with this declaration key may be used for the clinic `on`."""
    return any(recipient.key == key for recipient in sub_processors_in_use(clinic, on=on))


def propose_sub_processor(
    *,
    clinic: Clinic,
    recipient: Recipient,
    reason: str,
    actor: str,
    replaces: Recipient | None = None,
    object_by: datetime.date | None = None,
) -> SubProcessorChange:
    """Record an intended addition or replacement of a sub-processor for the clinic and tell the
    clinic, with the last day it may object (Art. 28(2) second sentence). The email is queued in
    this transaction and retried by the mail queue; the change and its audit entry commit with it.
    Refused without a current agreement, a privacy contact address, or a deadline in the future.
    """
    today = timezone.localdate()
    object_by = object_by or today + OBJECTION_PERIOD
    if object_by <= today:
        raise SubProcessorRefused("The deadline to object must be after today.")
    if replaces is not None and replaces.pk == recipient.pk:
        raise SubProcessorRefused("A sub-processor cannot replace itself.")
    if not clinic.email:
        raise SubProcessorRefused(
            "The clinic has no privacy contact address on record: add it to the clinic first."
        )
    with transaction.atomic():
        agreement = current_agreement(clinic, on=today)
        if agreement is None:
            raise SubProcessorRefused("The clinic has no current agreement.")
        change = SubProcessorChange.objects.create(
            clinic=clinic,
            recipient=recipient,
            replaces=replaces,
            reason=reason.strip(),
            notified_at=timezone.now(),
            object_by=object_by,
            recorded_by=actor,
        )
        change.notice_email = queue_email(
            to=clinic.email,
            subject_line=f"New sub-processor for {clinic.name}: {recipient.name}"[:200],
            body=_notice_body(change, general=_is_general(agreement)),
            purpose=NOTICE_PURPOSE,
        )
        change.save(update_fields=["notice_email"])
        _audit(
            change,
            actor=actor,
            action="notify",
            reason=f"clinic told; may object until {object_by}",
        )
    return change


def _is_general(agreement) -> bool:
    return agreement.sub_processor_authorisation == SubProcessorAuthorisation.GENERAL


def _notice_body(change: SubProcessorChange, *, general: bool) -> str:
    # Clinics are written to in the site's default language, as breach notices to them are.
    with translation.override("en"):
        return render_to_string(
            "clinics/email/sub_processor_change.txt", {"change": change, "general": general}
        )


def record_objection(
    *, change: SubProcessorChange, objected_on: datetime.date, objection: str, actor: str
) -> SubProcessorChange:
    """Record the clinic's objection: the sub-processor is never used for the clinic (Art. 28(2)).
    An objection after a specific authorisation, or one already recorded, is refused."""
    if not objection.strip():
        raise SubProcessorRefused("Write down the clinic's objection.")
    with transaction.atomic():
        change = SubProcessorChange.objects.select_for_update().get(pk=change.pk)
        if change.objected_on is not None:
            raise SubProcessorRefused("An objection is recorded already.")
        if change.authorised_on is not None:
            raise SubProcessorRefused("The clinic authorised this sub-processor specifically.")
        change.objected_on, change.objection = objected_on, objection.strip()
        change.save(update_fields=["objected_on", "objection"])
        _audit(change, actor=actor, action="change", reason=f"clinic objected on {objected_on}")
    return change


def record_authorisation(
    *, change: SubProcessorChange, authorised_on: datetime.date, evidence: str, actor: str
) -> SubProcessorChange:
    """Record that the clinic authorised the sub-processor specifically (its written answer is the
    `evidence`): it may be used from that day, before the deadline (Art. 28(2) first sentence)."""
    if not evidence.strip():
        raise SubProcessorRefused("Say where the clinic's authorisation is (its email, a letter).")
    with transaction.atomic():
        change = SubProcessorChange.objects.select_for_update().get(pk=change.pk)
        if change.objected_on is not None:
            raise SubProcessorRefused("The clinic objected to this sub-processor.")
        change.authorised_on, change.evidence = authorised_on, evidence.strip()
        change.save(update_fields=["authorised_on", "evidence"])
        _audit(change, actor=actor, action="change", reason=f"clinic authorised on {authorised_on}")
    return change


def _audit(change: SubProcessorChange, *, actor: str, action: str, reason: str) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="clinics.SubProcessorChange",
        object_id=change.pk,
        reason=f"clinic {change.clinic_id}, {change.recipient.key}: {reason}",
    )
