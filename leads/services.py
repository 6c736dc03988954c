"""Recording enquiries as leads, and telling staff about leads and meetings (policy §3a, §4, §7).
Meetings from booking providers are recorded in leads/meetings.py."""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from declaration.selectors import get_declaration
from leads import selectors, tasks
from leads.models import Lead, Meeting
from mail.services import queue_email
from newsletter.services import start_subscription
from subjects.models import Subject
from subjects.services import get_or_create_subject, lock_subject_of, new_subject_values
from wekst import rows

if TYPE_CHECKING:
    from clinics.models import Clinic

logger = logging.getLogger(__name__)


def record_two_way_contact(
    *, subject: Subject, at: datetime.datetime, clinic: Clinic | None = None
) -> int:
    """Move "last contact" to `at` on every lead of the person; returns how many moved.

    Only contact from the person counts (a submission, a booking): retention runs 24 months from
    the last two-way contact with them (policy §7; LEA-05), so outbound marketing must never call
    this. The clock never moves backwards. Contact made through a clinic's form moves only that
    clinic's leads: what Wekst holds as the clinic's processor is kept apart (CL-02).
    """
    return _in_touch(subject, at, clinic).update(last_contact_at=at)


def _in_touch(subject: Subject, at: datetime.datetime, clinic: Clinic | None) -> QuerySet[Lead]:
    leads = Lead.objects.filter(subject=subject, last_contact_at__lt=at)
    return leads if clinic is None else leads.filter(clinic=clinic)


def submit_enquiry(
    *,
    kind: str,
    name: str,
    email: str,
    phone: str = "",
    company: str = "",
    role: str = "",
    message: str = "",
    source: str,
    language: str,
    marketing_consent: bool = False,
    marketing_consent_wording: str = "",
    clinic: Clinic | None = None,
) -> tuple[Lead, bool]:
    """Store a contact or information request as a lead, and notify staff; (lead, created).

    The lead keeps the declared purpose and legal basis in force and the policy version shown
    (GDPR Art. 5(2), 13). The same content from the same person (the same address, however it is
    typed) within the duplicate window is not stored again: the earlier lead is returned with
    created=False. Ticking the separate marketing choice starts a double opt-in newsletter
    subscription with the exact wording shown (GDPR Art. 7(1); markedsføringsloven §15); leaving
    it unticked starts nothing. With `clinic`, the lead is collected on that clinic's behalf, kept
    apart from Wekst's own and starts no marketing of Wekst's (clinics.services.
    submit_clinic_enquiry; CL-02).

    On PostgreSQL a person seen for the first time, their lead and its staff notification are
    stored by one statement (_first_enquiry); anyone already known, and every submission on
    SQLite, in a transaction that locks the person's subject row.
    """
    if clinic is not None:
        # A clinic's lead is never Wekst's marketing: using it so would make Wekst its controller
        # (GDPR Art. 28(10); CL-02). The clinic's form does not ask; this holds for any caller.
        marketing_consent = False
    activity = selectors.activity_of(kind)
    wording = marketing_consent_wording if marketing_consent else ""
    content = {
        "name": name.strip(),
        "phone": phone.strip(),
        "company": company.strip(),
        "role": role.strip(),
        "message": message.strip(),
        "marketing_consent": marketing_consent,
    }
    values = dict(
        clinic_id=clinic.pk if clinic is not None else None,
        kind=kind,
        purpose=activity.key,
        legal_basis=activity.legal_basis,
        source=source,
        policy_version=get_declaration().current.version,
        email=email.strip(),
        language=language,
        marketing_consent_wording=wording,
        **content,
    )
    lead = _first_enquiry(email=email, phone=phone, values=values)
    if lead is None:
        with transaction.atomic():
            # Locked: submissions from one person run one at a time, so a double click cannot
            # store the lead twice.
            subject, new_subject = get_or_create_subject(email=email, phone=phone, lock=True)
            now = timezone.now()
            # A person seen for the first time has no earlier lead to repeat or to move: the two
            # look-ups are skipped for them (docs/benchmarks.md).
            if not new_subject:
                since = now - datetime.timedelta(seconds=settings.LEADS_DUPLICATE_WINDOW_SECONDS)
                # A clinic's enquiries are compared only with that clinic's.
                scope = {"clinic_id": clinic.pk} if clinic is not None else {}
                duplicate = selectors.find_duplicate_lead(
                    subject=subject, kind=kind, since=since, **scope, **content
                )
                if duplicate is not None:
                    return duplicate, False
            moved = None if new_subject else _in_touch(subject, now, clinic)
            lead = _store_enquiry(
                {**values, "subject_id": subject.pk, "last_contact_at": now}, moved
            )
            lead.subject = subject
            if marketing_consent:
                _start_newsletter_subscription(lead)
    elif marketing_consent:
        # After the enquiry is stored, in its own transaction, as on the path above.
        _start_newsletter_subscription(lead)
    if clinic is not None:
        lead.clinic = clinic
    return lead, True


def _first_enquiry(*, email: str, phone: str, values: dict) -> Lead | None:
    """The lead of a person seen for the first time, stored with their subject and its staff
    notification by ONE statement in autocommit (wekst.rows.chain; PostgreSQL): the path most
    submissions take, in one round trip instead of a transaction's five (issue 23;
    docs/benchmarks.md). The lead never exists without its task, nor the subject without its
    lead. None, with nothing stored, when the address is known already (or a submission for it
    got there first), or on SQLite: the transaction path then, with its lock, duplicate check and
    move of "last contact".
    """
    task = rows.queued(tasks.tell_staff, rows.PREVIOUS, None)  # notify_staff's task, in the chain
    if task is None:
        return None
    values = {**values, "subject_id": rows.PREVIOUS, "last_contact_at": timezone.now()}
    stored = rows.chain(
        rows.New(Subject, new_subject_values(email=email, phone=phone), unless_taken="email"),
        rows.New(Lead, values),
        task,
    )
    if stored is None:
        return None
    subject, lead, _task = stored
    lead.subject = subject
    return lead


def _store_enquiry(values: dict, moved: QuerySet[Lead] | None) -> Lead:
    """The lead, its staff notification and the `moved` leads' last contact (LEA-05), in the
    caller's transaction: one statement on PostgreSQL (wekst.rows.chain), three elsewhere;
    within the contact POST's budget of statements for a known address (bench/budgets.toml)."""
    at = values["last_contact_at"]
    task = rows.queued(tasks.tell_staff, rows.PREVIOUS, None)  # notify_staff's task, in the chain
    if task is not None:
        updating = None if moved is None else rows.Update(moved, {"last_contact_at": at})
        return rows.chain(rows.New(Lead, values), task, updating=updating)[0]
    if moved is not None:
        moved.update(last_contact_at=at)
    lead = rows.insert(Lead, values)  # one INSERT, no model instance (docs/benchmarks.md)
    notify_staff(lead=lead)
    return lead


def _start_newsletter_subscription(lead: Lead) -> None:
    # A failure here must not lose the enquiry (issue 3, item 5): the lead keeps the consent and
    # its wording, so staff can see it and the sign-up can be repeated.
    try:
        with transaction.atomic():
            start_subscription(
                email=lead.email,
                name=lead.name,
                source=lead.source,
                consent_wording=lead.marketing_consent_wording,
                language=lead.language,
            )
    except Exception:
        logger.exception("Newsletter sign-up from lead %s could not be started", lead.public_id)


def notify_staff(*, lead: Lead, meeting: Meeting | None = None) -> None:
    """Enqueue the staff notification of a lead, or of a meeting's change, in the caller's
    transaction: it commits with the change, so it is never lost, and the worker renders and
    queues it (tell_staff), so the visitor's request does not wait for it (docs/benchmarks.md).
    """
    rows.enqueue(tasks.tell_staff, lead.pk, meeting.pk if meeting is not None else None)


def tell_staff(*, lead_id: int, meeting_id: int | None = None) -> int:
    """Queue an email to every staff address about the lead, or about the meeting as it is now;
    returns how many. A clinic's lead is told only to the staff assigned to that clinic
    (selectors.staff_addresses_for; CL-02); with no one assigned, the staff inbox only hears that
    an enquiry for the clinic waits. Each email is linked to the lead's subject and
    carries the lead's purpose, so it appears in access reports and goes with erasure.

    Once only: the lead, or the meeting's latest provider event, is marked as told in the same
    transaction, so a task run again after a worker died tells no one twice, and several changes
    the worker comes to at once are told in one email of the latest state. A lead erased before
    the worker came to it is told to no one.
    """
    with transaction.atomic():
        # The person's row first, as every change to their records takes it: an erasure of them
        # meanwhile deadlocked with this task (it held the lead, the erasure held the person).
        lock_subject_of(Lead.objects.filter(pk=lead_id))
        lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
        if lead is None:
            return 0
        meeting = None
        if meeting_id is None:
            if lead.staff_notified_at is not None:
                return 0
            lead.staff_notified_at = timezone.now()
            lead.save(update_fields=["staff_notified_at"])
        else:
            meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
            if meeting is None or meeting.staff_notified_event_at == meeting.last_event_at:
                return 0
            meeting.staff_notified_event_at = meeting.last_event_at
            meeting.save(update_fields=["staff_notified_event_at"])
        context = {"lead": lead, "meeting": meeting}
        with translation.override(settings.LANGUAGE_CODE):
            if meeting is None:
                subject_line = render_to_string("leads/email/staff_lead_subject.txt", context)
                body = render_to_string("leads/email/staff_lead.txt", context)
            else:
                subject_line = render_to_string("leads/email/staff_meeting_subject.txt", context)
                body = render_to_string("leads/email/staff_meeting.txt", context)
        subject_line = " ".join(subject_line.split())[:200]
        addresses = selectors.staff_addresses_for(lead)
        for address in addresses:
            queue_email(
                to=address,
                subject_line=subject_line,
                body=body,
                purpose=lead.purpose,
                subject=lead.subject,
                headers={"Reply-To": lead.email},
            )
        if not addresses and lead.clinic_id is not None:
            return _tell_staff_no_one_is_assigned(lead)
    return len(addresses)


def _tell_staff_no_one_is_assigned(lead: Lead) -> int:
    """A clinic's lead that no one may see yet: the staff inbox is told that it is waiting and
    where to assign someone, without the lead's details (CL-02), so no enquiry goes unanswered."""
    path = reverse("admin:clinics_clinic_change", args=[lead.clinic_id])
    context = {"lead": lead, "clinic_url": f"{settings.WEKST_SITE_URL.rstrip('/')}{path}"}
    with translation.override(settings.LANGUAGE_CODE):
        subject_line = render_to_string("leads/email/staff_unassigned_clinic_subject.txt", context)
        body = render_to_string("leads/email/staff_unassigned_clinic.txt", context)
    for address in settings.WEKST_STAFF_EMAILS:
        queue_email(
            to=address,
            subject_line=" ".join(subject_line.split())[:200],
            body=body,
            purpose=lead.purpose,
        )
    return len(settings.WEKST_STAFF_EMAILS)
