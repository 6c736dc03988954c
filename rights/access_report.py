"""The access report: every record about one person, with why we hold it, who received it and
how long we keep it (GDPR Art. 15, 20): built here from the subject index and the declaration."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from audit.selectors import entries_about
from consent.models import ConsentDecision
from declaration.schema import Declaration
from declaration.selectors import get_declaration
from rights.processor_targets import identifiers_in_requests, processor_targets
from rights.reports import AccessReport, ProcessingInfo, RecordSet, processing_info, recipient_info
from rights.selectors import _record_set, is_uuid
from subjects.models import Subject
from subjects.selectors import records_of


def build_access_report(
    *, subject: Subject | None, consent_ids: Iterable[str] = (), language: str = "en"
) -> AccessReport:
    """Every record about the person across the system, and what the law says they must be told
    about it (GDPR Art. 15(1)(a)-(h), 15(2); checklist RG-06), including the processors their data
    was disclosed to, which erasure, rectification and restriction are passed on to (Art. 19;
    checklist RG-12).

    Records are found through the subject index (`records_of`, every model with a foreign key to
    the subject), the audit log (`entries_about`), and the consent log for the consent ids the
    person gave as theirs. Stored secrets are left out; other people's data (staff names, staff
    mailboxes) is redacted and counted.
    """
    record_sets: list[RecordSet] = []
    disclosed_to: list[str] = []
    if subject is not None:
        record_sets.append(_subject_index_entry(subject))
        records = records_of(subject)
        record_sets += _record_sets_of(records, subject=subject)
        _consent_ids, client_ids = identifiers_in_requests(records)
        disclosed_to = list(processor_targets(subject, records, client_ids=client_ids))
        record_sets += _audit_entries_about(subject)
    record_sets += _consent_decisions(consent_ids, subject=subject)
    declaration = get_declaration()
    return AccessReport(
        generated_at=timezone.now(),
        subject_ref=str(subject.public_id) if subject is not None else "",
        language=language,
        record_sets=[r for r in record_sets if r.label != "subjects.Subject" or r.rows],
        processing=_processing_of(record_sets, declaration=declaration, language=language),
        disclosed_to=[
            recipient_info(declaration.recipients[key], language) for key in disclosed_to
        ],
        declaration=declaration,
    )


def _subject_index_entry(subject: Subject) -> RecordSet:
    return RecordSet(
        label="subjects.Subject",
        name="subject index",
        fields=[
            ("public_id", "reference", ""),
            ("email", "email address", "contact"),
            ("phone", "phone number", "contact"),
            ("created_at", "first seen", ""),
        ],
        rows=[
            {
                "public_id": str(subject.public_id),
                "email": subject.email or "",
                "phone": subject.phone,
                "created_at": subject.created_at.isoformat(),
            }
        ],
        activities=(),
    )


def _record_sets_of(records: dict[str, QuerySet], *, subject: Subject) -> list[RecordSet]:
    found = (_record_set(label, queryset, subject=subject) for label, queryset in records.items())
    return [record_set for record_set in found if record_set is not None]


def _audit_entries_about(subject: Subject) -> list[RecordSet]:
    audit = _record_set("audit.AuditEntry", entries_about(str(subject.public_id)), subject=subject)
    return [audit] if audit is not None else []


def _consent_decisions(consent_ids: Iterable[str], *, subject: Subject | None) -> list[RecordSet]:
    """The consent log is not linked to the subject: its entries are found by the consent ids
    the person gave as theirs."""
    valid_ids = [i for i in consent_ids if is_uuid(i)]
    if not valid_ids:
        return []
    decisions = _record_set(
        "consent.ConsentDecision",
        ConsentDecision.objects.filter(consent_id__in=valid_ids),
        subject=subject,
    )
    return [decisions] if decisions is not None else []


def _processing_of(
    record_sets: list[RecordSet], *, declaration: Declaration, language: str
) -> list[ProcessingInfo]:
    """The declared activities the records serve, in the declaration's order; all of them when
    any record's activity is unknown, so the person is never told too little."""
    activity_keys: set[str] = set()
    unknown = False
    for record_set in record_sets:
        if record_set.activities is None:
            unknown = True
        else:
            activity_keys.update(record_set.activities)
    if unknown:
        activity_keys = set(declaration.activities)
    return [
        processing_info(declaration, declaration.activities[key], language)
        for key in declaration.activities
        if key in activity_keys
    ]
