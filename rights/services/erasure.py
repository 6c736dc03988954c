"""Erasure (GDPR Art. 17, 19; RIG-04, checklist RG-11, RG-13): carrying out an erasure request,
erasing everything about a person (also for the retention sweep and a child report), and erasing
again, after a database restore, everyone the erasure ledger says was erased.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.selectors import entries_about
from audit.services import record_event
from consent.models import ConsentDecision
from declaration.schema import Declaration
from declaration.selectors import get_declaration
from newsletter.models import Suppression
from rights import ledger
from rights.models import ProcessorNotice, Request
from rights.processor_targets import identifiers_in_requests, processor_targets
from rights.reports import ErasureReport, KeptRecords
from rights.services.processor_notices import pass_on_to_processors
from rights.services.steps import (
    RequestNotAllowed,
    _audit,
    _close,
    _locked,
    _one_step,
    _tell_person,
)
from subjects.legal_duty import legal_duty_of
from subjects.models import Subject
from subjects.selectors import records_of

SUPERSEDED_BY_ERASURE = "system:superseded_by_erasure"
REPLAY_ACTOR = "system:reapply_erasure_ledger"


def carry_out_erasure(*, request_id: int, actor: str) -> ErasureReport:
    """Carry out a verified erasure request after staff review, and tell the person what was
    erased, what was kept and why, and which processors it was passed on to (Art. 17, 19)."""
    with _one_step():
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
    # (subjects.legal_duty.KeptUnderLegalDuty): only then is a record kept, with the law, the reason
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
        # Found before anything is erased: what the processors know the person by goes with it.
        targets = processor_targets(subject, records, client_ids=client_ids)
        report = ErasureReport(subject_ref=ref, erased_at=now)
        erased: dict[str, int] = defaultdict(int)
        keep_subject = _erase_records(
            records, declaration=declaration, report=report, erased=erased
        )
        _erase_consent_decisions(consent_ids, erased=erased)
        _report_audit_entries_kept(ref, declaration=declaration, report=report, now=now)
        _erase_from_subject_index(subject, keep=keep_subject, erased=erased)
        report.erased = dict(sorted(erased.items()))
        _supersede_waiting_notices(ref, now=now)
        report.passed_on_to = pass_on_to_processors(
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


def _erase_records(
    records: dict[str, QuerySet],
    *,
    declaration: Declaration,
    report: ErasureReport,
    erased: dict[str, int],
) -> bool:
    """Delete every record found, except those a legal duty keeps; counts what was deleted,
    per model (cascades included). Returns whether any record was kept."""
    keep_subject = False
    for label, queryset in records.items():
        kept = _keep_under_legal_duty(label, queryset, declaration=declaration, report=report)
        if kept:
            keep_subject = True
            queryset = queryset.exclude(pk__in=kept)
        _count, per_model = queryset.delete()
        for model_label, count in per_model.items():
            if count:
                erased[model_label] += count
    return keep_subject


def _keep_under_legal_duty(
    label: str, queryset: QuerySet, *, declaration: Declaration, report: ErasureReport
) -> list[int]:
    """The records of one kind that a legal duty keeps (their model says so), with the fields the
    duty does not need emptied, and the law, the reason and the end of the duty in the report
    (Art. 17(3)(b),(e)). Returns their primary keys; none when the model has no such duty."""
    duty = legal_duty_of(queryset.model)
    if duty is None:
        return []
    kept = list(duty.records_kept(queryset))
    if not kept:
        return []
    pks = [r.pk for r in kept]
    if duty.erase_fields:
        queryset.model._default_manager.filter(pk__in=pks).update(**duty.erase_fields)
    rule = declaration.retention_rules[duty.retention_rule]
    ends = [
        rule.expires_after(start) for start in (duty.start_of(r) for r in kept) if start is not None
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
    return pks


def _erase_consent_decisions(consent_ids: list[str], *, erased: dict[str, int]) -> None:
    """The consent log is not linked to the subject: its entries are found by the consent ids
    the person gave as theirs with a request."""
    if consent_ids:
        count = ConsentDecision.objects.filter(consent_id__in=consent_ids).delete()[0]
        if count:
            erased["consent.ConsentDecision"] += count


def _report_audit_entries_kept(
    ref: str, *, declaration: Declaration, report: ErasureReport, now: datetime.datetime
) -> None:
    """The audit log keeps what was done with the data (Art. 5(2)), under the random reference
    only; the erasure's own entry is counted in."""
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


def _erase_from_subject_index(subject: Subject, *, keep: bool, erased: dict[str, int]) -> None:
    if keep:
        # The kept records still point at the subject, which keeps only its random id.
        Subject.objects.filter(pk=subject.pk).update(email=None, phone="")
    else:
        subject.delete()
        erased["subjects.Subject"] += 1


def _supersede_waiting_notices(ref: str, *, now: datetime.datetime) -> None:
    """A correction or restriction still waiting for a processor is superseded: the erasure
    reaches the same processors, and the values and identifiers it holds must go too."""
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


# After a restore (RIG-04, RG-13) ------------------------------------------------------------


def reapply_erasure_ledger(*, batch_size: int = 2000) -> dict[str, int]:
    """Erase again everyone the ledger says was erased, and restore objections' suppression
    entries: run after restoring a database backup, before the site serves traffic (RG-13).

    A subject is erased again only if it existed at the time of the erasure (created before it),
    so a person who came back afterwards (a new enquiry) is not erased by the replay.
    Returns counts: {"erased": subjects erased again, "suppressions": entries restored}.
    """
    erased_at, suppressions = _read_ledger()
    restored = _restore_suppressions(suppressions)
    to_erase = _subjects_erased_before_restore(erased_at, batch_size=batch_size)
    for pk in to_erase:
        subject = Subject.objects.filter(pk=pk).first()
        if subject is not None:
            _erase_subject(
                subject=subject,
                actor=REPLAY_ACTOR,
                reason="re-applied from the erasure ledger after a database restore",
                write_ledger=False,
            )
    return {"erased": len(to_erase), "suppressions": restored}


def _read_ledger() -> tuple[dict[str, datetime.datetime], set[str]]:
    """When each digest of an address or phone number was last erased, and the suppression
    entries objections left."""
    erased_at: dict[str, datetime.datetime] = {}
    suppressions: set[str] = set()
    for entry in ledger.read_entries():
        if entry.event == ledger.ERASURE:
            for digest in entry.digests:
                if digest not in erased_at or erased_at[digest] < entry.at:
                    erased_at[digest] = entry.at
        elif entry.event == ledger.OBJECTION and entry.suppression_digest:
            suppressions.add(entry.suppression_digest)
    return erased_at, suppressions


def _restore_suppressions(suppressions: set[str]) -> int:
    restored = 0
    for digest in sorted(suppressions):
        _entry, created = Suppression.objects.get_or_create(
            address_digest=digest, defaults={"reason": Suppression.Reason.OBJECTED}
        )
        restored += created
    return restored


def _subjects_erased_before_restore(
    erased_at: dict[str, datetime.datetime], *, batch_size: int
) -> list[int]:
    """The subjects whose address or phone number the ledger erased after they were created."""
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
    return to_erase
