"""The reconciliation of processors: what a processor still holds beyond its retention rule
(checklist RT-09 [BEYOND]; GDPR Art. 5(1)(e), 28(3)(g)).

Decided per processor, honestly: only Brevo (the email provider) can be asked what it holds. Its
contact list is read in bounded pages and each contact compared with what we keep: a contact
that no record here needs any more (by rights.processor_targets.processor_targets, the same test that
decides who an erasure goes to) is held beyond its rule. The others cannot be asked, and each
check says what they rely on instead. For every processor, an erasure passed on (by a request or
by the sweep) and still not confirmed after the grace period is reported too.

Nothing readable about the person is kept: a finding names the processor's own id (a Brevo
contact id) or the erasure notice, which is what staff need to act.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from processors import email_provider
from processors.connectors import CONNECTORS, ERASURE, ConnectorFailed, ManualStepNeeded
from processors.integration import get_integration
from retention.models import ProcessorCheck, StillHeld
from rights.models import ProcessorNotice
from rights.processor_targets import processor_targets
from subjects.selectors import find_subjects, records_of
from wekst.addresses import normalise_email

PAGE_SIZE = 500
ASKED = "email_provider"


def reconcile_processors(
    *, trigger: str, now: datetime.datetime | None = None
) -> list[ProcessorCheck]:
    """Check every processor an erasure can be passed on to, and record what each still holds
    beyond its rule; returns one check per processor (no personal data)."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=settings.RETENTION_RECONCILIATION_GRACE_DAYS)
    checks = []
    for processor in sorted(CONNECTORS[ERASURE]):
        if processor == ASKED:
            check, findings = _ask_email_provider(since=since)
        else:
            check = ProcessorCheck(
                asked=False, note=getattr(get_integration(processor), "what_it_holds", "")
            )
            findings = []
        reported = {finding.notice_id for finding in findings if finding.notice_id}
        for notice in _unconfirmed_erasures(processor, since=since):
            if notice.pk not in reported:
                findings.append(
                    StillHeld(
                        reference=f"notice {notice.public_id}",
                        notice=notice,
                        reason=(
                            f"The erasure passed on {notice.created_at:%Y-%m-%d} "
                            f"({notice.get_cause_display().lower()}) is not confirmed: "
                            f"{notice.get_status_display().lower()}."
                        ),
                    )
                )
        with transaction.atomic():
            check.processor, check.trigger, check.checked_at = processor, trigger, now
            check.still_held = len(findings)
            check.save()
            for finding in findings:
                finding.processor_check = check
            StillHeld.objects.bulk_create(findings)
        checks.append(check)
    return checks


def _unconfirmed_erasures(processor: str, *, since: datetime.datetime):
    return ProcessorNotice.objects.filter(
        processor=processor, kind=ProcessorNotice.Kind.ERASURE, created_at__lte=since
    ).exclude(status=ProcessorNotice.Status.DONE)


def _ask_email_provider(*, since: datetime.datetime) -> tuple[ProcessorCheck, list[StillHeld]]:
    """Read Brevo's contacts from where the last check stopped, at most
    RETENTION_RECONCILIATION_MAX_PAGES pages, and judge each one."""
    last = ProcessorCheck.objects.filter(processor=ASKED).order_by("-checked_at", "-pk").first()
    offset = last.next_offset if last is not None else 0
    erasing = _erasures_in_progress()
    check = ProcessorCheck(
        asked=True,
        note=(
            "Asked: Brevo's contacts (GET /v3/contacts) compared with what we keep; a contact "
            "no record here needs any more is held beyond its rule."
        ),
    )
    findings = []
    for _page in range(settings.RETENTION_RECONCILIATION_MAX_PAGES):
        try:
            contacts, total = email_provider.list_contacts(offset=offset, limit=PAGE_SIZE)
        except ManualStepNeeded as step:
            check.asked, check.error = False, str(step)
            check.note = "Not asked: Brevo could be asked, but its connector is not configured."
            break
        except ConnectorFailed as error:
            check.error = f"Stopped at contact {offset}: {error}"[:2000]
            break
        for contact in contacts:
            check.checked += 1
            finding = _judge_contact(contact, since=since, erasing=erasing)
            if finding is not None:
                findings.append(finding)
        offset += len(contacts)
        if len(contacts) < PAGE_SIZE or offset >= total:
            offset = 0  # the whole list was read: the next check starts again from the top
            break
    check.next_offset = offset
    return check, findings


def _erasures_in_progress() -> dict[str, ProcessorNotice]:
    """Erasures at the email provider not yet done, by the address they erase."""
    notices = ProcessorNotice.objects.filter(
        processor=ASKED, kind=ProcessorNotice.Kind.ERASURE
    ).exclude(status=ProcessorNotice.Status.DONE)
    return {
        normalise_email(address): notice
        for notice in notices
        for address in notice.identifiers.get("emails", ())
    }


def _judge_contact(
    contact: dict, *, since: datetime.datetime, erasing: dict[str, ProcessorNotice]
) -> StillHeld | None:
    """A finding when Brevo holds a contact that nothing here needs any more, unless it is being
    erased or was created within the grace period (too recent to be beyond any rule)."""
    address = normalise_email(str(contact.get("email") or ""))
    if address and any(
        ASKED in processor_targets(subject, records_of(subject), client_ids=set())
        for subject in find_subjects(email=address)
    ):
        return None
    notice = erasing.get(address) if address else None
    if notice is not None and notice.created_at > since:
        return None  # passed on recently: the notice is still being retried
    created = parse_datetime(str(contact.get("createdAt") or ""))
    if notice is None and created is not None and created > since:
        return None
    return StillHeld(
        reference=f"Brevo contact {contact.get('id', '?')}",
        notice=notice,
        reason=(
            "Held at Brevo, and no record here needs it any more: delete the contact there "
            "(Contacts > search the id)"
            + (", and mark the erasure notice done." if notice is not None else ".")
        ),
    )
