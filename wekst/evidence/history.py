"""The evidence pack's records of what happened: the retention sweeps (Art. 5(1)(e)), the breach
register (Art. 33(5)) and the verification of the audit log's hash chain."""

import json

from audit.models import AuditEntry
from audit.selectors import first_broken_link
from breaches.models import Breach
from retention.models import SweepCount, SweepRun
from wekst.evidence.common import iso
from wekst.spreadsheets import csv_text


def retention_files() -> dict[str, str]:
    runs = [
        (
            run.pk,
            iso(run.started_at),
            iso(run.finished_at),
            run.status,
            run.trigger,
            run.batch_size,
        )
        for run in SweepRun.objects.order_by("started_at")
    ]
    counts = [
        (
            c.run_id,
            c.rule,
            c.model,
            c.action,
            iso(c.cutoff),
            c.erased,
            json.dumps(c.cascaded),
            json.dumps(c.kept),
            json.dumps(c.legal_holds),
            json.dumps(c.notices),
            c.batches,
            f"{c.seconds:.3f}",
        )
        for c in SweepCount.objects.order_by("run_id", "rule", "model")
    ]
    return {
        "retention/sweep-runs.csv": csv_text(
            [("Run", "Started", "Finished", "Status", "Trigger", "Batch size"), *runs]
        ),
        "retention/sweep-counts.csv": csv_text(
            [
                (
                    "Run",
                    "Rule",
                    "Records",
                    "Action",
                    "Cutoff",
                    "Erased",
                    "Cascaded",
                    "Kept",
                    "Legal holds",
                    "Notices",
                    "Batches",
                    "Seconds",
                ),
                *counts,
            ]
        ),
    }


# The Art. 33(5) register: the facts, effects and remedial action. Left out: affected_subjects
# (who the people are), reported_by and contact_point (people's names), and the notices (emails).
BREACH_FIELDS = (
    "public_id", "title", "source", "became_aware_at", "occurred_from", "occurred_until",
    "what_happened", "cause", "how_it_arose", "confidentiality", "integrity", "availability",
    "data_categories", "special_categories", "subject_categories", "approx_subjects",
    "approx_records", "where_data_now", "likely_consequences", "measures_taken",
    "measures_planned", "risk", "risk_reasoning", "authority_notified_at", "authority_reference",
    "authority_notification_partial", "authority_follow_up_at", "reasons_for_delay",
    "art34_exception", "art34_exception_details", "subjects_notified_at", "clinic_notified_at",
    "closed_at",
)  # fmt: skip


def breach_files() -> dict[str, str]:
    rows = []
    for breach in Breach.objects.select_related("clinic").order_by("became_aware_at"):
        values = [getattr(breach, field) for field in BREACH_FIELDS]
        values = [iso(v) if hasattr(v, "isoformat") else v for v in values]
        notified = breach.authority_notified_at
        hours = (notified - breach.became_aware_at).total_seconds() / 3600 if notified else None
        rows.append(
            (
                *values,
                breach.clinic.name if breach.clinic else "",
                "" if hours is None else f"{hours:.1f}",
            )
        )
    header = (*BREACH_FIELDS, "clinic", "hours_to_authority")
    return {"breaches.csv": csv_text([header, *rows])}


def audit_chain_files(now) -> dict[str, str]:
    broken = first_broken_link()
    total = AuditEntry.objects.count()
    if broken is None:
        result = f"INTACT: all {total} entries link to the one before, each hash recomputes.\n"
    else:
        result = (
            f"BROKEN at entry #{broken.sequence} (id {broken.pk}): its hash or its link to the "
            f"previous entry does not match. Entries: {total}.\n"
        )
    return {"audit-chain.txt": f"Audit log verified {now:%Y-%m-%d %H:%M:%S} UTC\n{result}"}
