"""Data from other sources: leads staff enter from an event, a referral or a list, and the Art. 14
notice that tells each person what we hold, why, and where we got it (checklist TP-02).

What counts as "another source" is a decision worth stating (docs/other-sources.md): a lead from
our own forms, and a booking made on our booking provider's page, are collected from the person
(Art. 13: the provider is our processor, collecting on our behalf from the person themselves), so
they get no Art. 14 notice; a lead staff enter from anything else does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from audit.services import record_event
from declaration.selectors import get_declaration
from leads import selectors
from leads.models import Lead
from leads.notices import (
    NO_ADDRESS,
    NOTICE_FALLBACK_LANGUAGE,
    QUEUED,
    WARN_BEFORE_DEADLINE,
    WITHHELD,
    awaiting_notice,
    give_art14_notice,
    notice_deadline,
)
from mail.services import queue_email
from subjects.models import Subject
from subjects.services import get_or_create_subject
from wekst.addresses import normalise_email, normalise_phone

# Entering a lead ------------------------------------------------------------------------------


def enter_lead_from_other_source(
    *,
    source_kind: str,
    source_description: str,
    name: str = "",
    email: str = "",
    phone: str = "",
    company: str = "",
    role: str = "",
    message: str = "",
    language: str = "",
    actor: str,
) -> tuple[Lead, str]:
    """Store a lead staff obtained from another source, with that source, and give the person
    the Art. 14 notice at once when an address is known; (lead, what give_art14_notice did).

    Sending at entry is the simplest way to be within the month of Art. 14(3)(a) and before any
    first contact (14(3)(b)); a lead entered without an address waits for the daily check
    (check_art14_notices). Bad input raises ValidationError naming each field, storing nothing.
    """
    source_description = " ".join(source_description.split())
    email, phone = email.strip(), phone.strip()
    problems: dict[str, str] = {}
    if source_kind not in Lead.SourceKind.values:
        problems["source_kind"] = "Choose where the data came from (GDPR Art. 14(2)(f))."
    if not source_description:
        problems["source_description"] = (
            'Describe the source as the person will read it, e.g. "Nordic Dental Expo 2026".'
        )
    elif len(source_description) > 200:
        problems["source_description"] = "Keep the source to 200 characters."
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = "Enter a valid email address."
    elif not normalise_phone(phone):
        problems["email"] = (
            "Enter an email address or a phone number: we must be able to tell the person."
        )
    if problems:
        raise ValidationError(problems)
    if language not in dict(settings.LANGUAGES):
        language = NOTICE_FALLBACK_LANGUAGE
    activity = selectors.activity_of(Lead.Kind.OTHER_SOURCE)
    with transaction.atomic():
        subject = _subject_for(email=email, phone=phone)
        lead = Lead.objects.create(
            subject=subject,
            kind=Lead.Kind.OTHER_SOURCE,
            name=name.strip(),
            email=email,
            phone=phone,
            company=company.strip(),
            role=role.strip(),
            message=message.strip(),
            purpose=activity.key,
            legal_basis=activity.legal_basis,
            source=f"staff:{actor}"[:64],
            source_kind=source_kind,
            source_description=source_description,
            policy_version=get_declaration().current.version,
            language=language,
        )
        record_event(
            actor=actor,
            action="create",
            object_type="leads.Lead",
            object_id=lead.pk,
            subject_ref=subject.public_id,
            reason=f"entered from another source: {source_kind}",
        )
        outcome = give_art14_notice(lead_id=lead.pk)
    return lead, outcome


def _subject_for(*, email: str, phone: str) -> Subject:
    """The person's subject: by address; a lead with only a phone number gets a subject of its
    own, since a clinic's switchboard number is shared by several people and matching on it
    could join one person's records to another's (access and erasure would cross)."""
    if email:
        return get_or_create_subject(email=email, phone=phone, lock=True)[0]
    return Subject.objects.create(email=None, phone=normalise_phone(phone))


def add_address_to_lead(*, lead_id: int, email: str, actor: str) -> str:
    """Give a lead from another source the email address it lacked, and give its Art. 14 notice
    now (before first contact, Art. 14(3)(b)); returns what give_art14_notice did.

    The subject index follows: a subject with no address takes this one, unless another subject
    already has it, in which case the lead moves to that person's subject.
    """
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    with transaction.atomic():
        lead = Lead.objects.select_for_update().select_related("subject").get(pk=lead_id)
        if lead.kind != Lead.Kind.OTHER_SOURCE or lead.email:
            raise ValidationError("Only a lead from another source without an address takes one.")
        other = Subject.objects.filter(email=normalise_email(email)).first()
        if other is not None and other.pk != lead.subject_id:
            lead.subject = other
        elif lead.subject.email is None:
            lead.subject.email = normalise_email(email)
            lead.subject.save(update_fields=["email"])
        lead.email = email
        lead.save(update_fields=["email", "subject"])
        record_event(
            actor=actor,
            action="change",
            object_type="leads.Lead",
            object_id=lead.pk,
            subject_ref=lead.subject.public_id,
            reason="email address added to a lead from another source",
        )
        return give_art14_notice(lead_id=lead.pk)


# The 14(5) exceptions -------------------------------------------------------------------------


def record_notice_exception(*, lead_id: int, ground: str, reason: str, actor: str) -> Lead:
    """Record that the Art. 14 notice is not given, on one of the grounds of Art. 14(5) and with
    a written reason (for (b), why informing is impossible or disproportionate, and how the
    person's interests are protected instead). Audited. Bad input raises ValidationError and
    stores nothing; a lead whose notice is already queued cannot take an exception."""
    reason = reason.strip()
    problems = {}
    if ground not in Lead.NoticeException.values:
        problems["ground"] = "Choose one of the grounds of GDPR Art. 14(5)."
    if not reason:
        problems["reason"] = "Write why the ground applies: the exception must be documented."
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        lead = Lead.objects.select_for_update().select_related("subject").get(pk=lead_id)
        if lead.kind != Lead.Kind.OTHER_SOURCE:
            raise ValidationError(
                "This lead was collected from the person: Art. 14 does not apply."
            )
        if lead.notice_queued_at is not None:
            raise ValidationError("The Art. 14 notice was already given for this lead.")
        lead.notice_exception = ground
        lead.notice_exception_reason = reason
        lead.notice_exception_at = timezone.now()
        lead.notice_exception_by = actor[:150]
        lead.save(
            update_fields=[
                "notice_exception",
                "notice_exception_reason",
                "notice_exception_at",
                "notice_exception_by",
            ]
        )
        record_event(
            actor=actor,
            action="change",
            object_type="leads.Lead",
            object_id=lead.pk,
            subject_ref=lead.subject.public_id,
            reason=f"Art. 14 notice not given, Art. 14(5) ground: {ground}",
        )
    return lead


# The daily check ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeCheck:
    queued: int
    withheld: int
    due_soon: int
    overdue: int


def check_art14_notices(*, now: datetime.datetime | None = None) -> NoticeCheck:
    """The daily check (wekst/schedules.py): give the notice of every lead from another source
    that now has an address, and tell staff of those that still cannot be given: any lead of a
    person who objected or was erased (to be deleted), and a lead without an address once within
    WARN_BEFORE_DEADLINE of its deadline or past it, so none passes its month unseen
    (Art. 14(3)(a)). One transaction per lead."""
    now = now or timezone.now()
    queued = withheld = due_soon = overdue = 0
    for lead_id in list(awaiting_notice().values_list("pk", flat=True)):
        outcome = give_art14_notice(lead_id=lead_id)
        if outcome == QUEUED:
            queued += 1
            continue
        if outcome not in (NO_ADDRESS, WITHHELD):
            continue
        withheld += outcome == WITHHELD
        lead = Lead.objects.get(pk=lead_id)
        deadline = notice_deadline(lead)
        if deadline < now:
            overdue += 1
        elif deadline - now <= WARN_BEFORE_DEADLINE:
            due_soon += 1
    result = NoticeCheck(queued=queued, withheld=withheld, due_soon=due_soon, overdue=overdue)
    if due_soon or overdue or withheld:
        _tell_staff(result)
    return result


def _tell_staff(result: NoticeCheck) -> None:
    """Tell staff how many notices need them, with the page listing them: counts and a link, no
    personal data in the inbox."""
    path = reverse("admin:leads_lead_changelist") + "?collected_for=all&art14=attention"
    context = {"result": result, "url": f"{settings.WEKST_SITE_URL.rstrip('/')}{path}"}
    with translation.override(settings.LANGUAGE_CODE):
        subject_line = render_to_string("leads/email/staff_art14_subject.txt", context)
        body = render_to_string("leads/email/staff_art14.txt", context)
    for address in settings.WEKST_STAFF_EMAILS:
        queue_email(
            to=address,
            subject_line=" ".join(subject_line.split())[:200],
            body=body,
            purpose=selectors.activity_of(Lead.Kind.OTHER_SOURCE).key,
        )
