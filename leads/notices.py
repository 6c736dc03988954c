"""The Art. 14 notice of a lead from another source: when it is due, where it stands, and writing
it from the declaration and queueing it once (GDPR Art. 14(1)-(3); checklist TP-02)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from audit.services import record_event
from declaration.policy import LEGAL_BASIS_NAMES, SAFEGUARD_NAMES, country_names
from declaration.schema import EEA_COUNTRIES
from declaration.selectors import get_declaration
from leads.models import Lead
from mail.services import queue_email
from newsletter.selectors import is_suppressed
from subjects import stops
from wekst.deadlines import due_at

# A person whose language we do not know is written to in Norwegian: the people we learn about
# from others are staff of Norwegian clinics, and Art. 12(1) asks for the language they read
# most easily. The notice links the English policy as well.
NOTICE_FALLBACK_LANGUAGE = "nb"
# How long before its deadline a notice that cannot be sent yet (no address) is shown to staff.
WARN_BEFORE_DEADLINE = datetime.timedelta(days=7)

# What give_art14_notice did.
QUEUED = "queued"
ALREADY_GIVEN = "already_given"
EXCEPTED = "excepted"
NO_ADDRESS = "no_address"
WITHHELD = "withheld"
NOT_NEEDED = "not_needed"


# Reading --------------------------------------------------------------------------------------


def notice_deadline(lead: Lead) -> datetime.datetime:
    """The end of the day one month after we obtained the data (Art. 14(3)(a)), counted as the
    rights deadlines are (Regulation 1182/71)."""
    return due_at(lead.created_at)


def awaiting_notice() -> QuerySet[Lead]:
    """Leads from another source with neither a notice queued nor an Art. 14(5) exception."""
    return Lead.objects.filter(
        kind=Lead.Kind.OTHER_SOURCE, notice_queued_at__isnull=True, notice_exception=""
    )


def needing_staff(*, now: datetime.datetime | None = None) -> QuerySet[Lead]:
    """Leads awaiting their notice that may be due within WARN_BEFORE_DEADLINE, or are overdue.

    A month is 28 to 31 days, so a lead obtained more than 28 days minus the warning ago may be
    that close to its deadline: staff see it a few days early rather than late."""
    now = now or timezone.now()
    since = now - (datetime.timedelta(days=28) - WARN_BEFORE_DEADLINE)
    return awaiting_notice().filter(created_at__lte=since)


def notice_state(lead: Lead, *, now: datetime.datetime | None = None) -> str:
    """One line for staff on where the lead's Art. 14 notice stands."""
    if lead.kind != Lead.Kind.OTHER_SOURCE:
        return "not needed (collected from the person)"
    if lead.notice_queued_at is not None:
        email, queued = lead.notice_email, timezone.localtime(lead.notice_queued_at)
        if email is None:  # the email's copy was erased under its own retention rule
            return f"given {queued:%Y-%m-%d %H:%M}"
        if email.sent_at is not None:
            return f"sent {timezone.localtime(email.sent_at):%Y-%m-%d %H:%M}"
        return f"queued {queued:%Y-%m-%d %H:%M}"
    if lead.notice_exception:
        return f"not given: {lead.get_notice_exception_display()}"
    deadline = notice_deadline(lead)
    if deadline < (now or timezone.now()):
        return f"OVERDUE since {timezone.localtime(deadline):%Y-%m-%d}"
    return f"due by {timezone.localtime(deadline):%Y-%m-%d}"


def objected_or_erased(lead: Lead) -> bool:
    """Whether the person already told us to stop: an address on the suppression list, an
    objection in force, or an erasure in the ledger from before this lead was entered. Then no
    notice is sent, so that re-entering them from a list never mails them (Art. 17, 21)."""
    if lead.email and is_suppressed(email=lead.email):
        return True
    if stops.objection_in_force(subject_id=lead.subject_id):
        return True
    return stops.erased_before(email=lead.email, phone=lead.phone, at=lead.created_at)


# The notice -----------------------------------------------------------------------------------


def give_art14_notice(*, lead_id: int) -> str:
    """Queue the Art. 14 notice of a lead from another source through the mail queue, once;
    returns what was done (QUEUED, ALREADY_GIVEN, EXCEPTED, NO_ADDRESS, WITHHELD, NOT_NEEDED).

    The notice is not marketing: it is the information Art. 14(1)-(2) owes the person, written
    from the declaration, in their language. It is still never sent to someone who objected or
    was erased (objected_or_erased): staff are shown the lead instead. Runs in the caller's
    transaction (the lead row is locked, so two callers never queue it twice).
    """
    with transaction.atomic():
        lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
        if lead is None or lead.kind != Lead.Kind.OTHER_SOURCE:
            return NOT_NEEDED
        if lead.notice_queued_at is not None:
            return ALREADY_GIVEN
        if lead.notice_exception:
            return EXCEPTED
        if not lead.email:
            return NO_ADDRESS
        if objected_or_erased(lead):
            return WITHHELD
        subject_line, body = render_art14_notice(lead)
        lead.notice_email = queue_email(
            to=lead.email,
            subject_line=subject_line,
            body=body,
            purpose=lead.purpose,
            subject=lead.subject,
        )
        lead.notice_queued_at = timezone.now()
        lead.save(update_fields=["notice_email", "notice_queued_at"])
        record_event(
            actor="system:art14_notice",
            action="change",
            object_type="leads.Lead",
            object_id=lead.pk,
            subject_ref=lead.subject.public_id,
            reason="Art. 14 notice queued",
        )
    return QUEUED


@dataclass(frozen=True)
class NoticeRecipient:
    name: str
    service: str
    countries: str
    safeguard: str


def render_art14_notice(lead: Lead) -> tuple[str, str]:
    """(subject line, body) of the lead's Art. 14 notice, generated from the declaration: the
    controller, the purpose and legal basis with the interest pursued, the categories of data,
    the source, the recipients and transfers, the retention, the rights with the right to object
    apart (Art. 21(4)) and the right to complain to the supervisory authority."""
    declaration = get_declaration()
    activity = declaration.activities[lead.purpose]
    language = (
        lead.language if lead.language in dict(settings.LANGUAGES) else NOTICE_FALLBACK_LANGUAGE
    )
    site = settings.WEKST_SITE_URL.rstrip("/")
    with translation.override("en"):
        english_policy_path = reverse("declaration:privacy_policy")
    with translation.override(language):
        recipients = [
            NoticeRecipient(
                name=recipient.name.in_language(language),
                service=recipient.service.in_language(language),
                countries=", ".join(country_names(recipient.countries)),
                safeguard=str(SAFEGUARD_NAMES[recipient.transfer_safeguard])
                if recipient.transfer_safeguard
                and any(c not in EEA_COUNTRIES for c in recipient.countries)
                else "",
            )
            for recipient in declaration.recipients_of(activity)
        ]
        context = {
            "lead": lead,
            "controller": declaration.controller,
            "authority": declaration.supervisory_authority,
            "activity_name": activity.name.in_language(language),
            "purpose": activity.purpose.in_language(language),
            "basis_name": LEGAL_BASIS_NAMES[activity.legal_basis],
            "basis_article": activity.legal_basis_article,
            "legitimate_interest": activity.legitimate_interest.in_language(language)
            if activity.legitimate_interest
            else "",
            "categories": [
                declaration.data_categories[key].name.in_language(language)
                for key in activity.data_categories
            ],
            "source_kind": lead.get_source_kind_display(),
            "source_description": lead.source_description,
            "recipients": recipients,
            "retention": declaration.retention_rules[activity.retention].description.in_language(
                language
            ),
            "policy_url": site + reverse("declaration:privacy_policy"),
            "policy_url_en": "" if language == "en" else site + english_policy_path,
            "portal_url": site + reverse("rights:portal"),
        }
        subject_line = render_to_string("leads/email/art14_notice_subject.txt", context)
        body = render_to_string("leads/email/art14_notice.txt", context)
    return " ".join(subject_line.split())[:200], body
