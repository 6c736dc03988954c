"""Builds the evidence pack: Art. 30 records, registers, consent and request evidence, a manifest.

It reads every app, so it sits in the top layer of the import contract (pyproject.toml). It holds
no personal data beyond what a register itself requires (README.txt in the ZIP says what): the
request log has no names or addresses, the consent part no consent ids, and the breach register
leaves out the affected people and who reported the breach.
"""

import hashlib
import io
import json
import zipfile
from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEntry
from audit.selectors import first_broken_link
from breaches.models import Breach
from clinics.records import COLUMNS as PROCESSOR_COLUMNS
from clinics.records import build_processor_records, processor_records_as_csv
from consent.models import BannerText, ConsentDecision
from declaration.models import PolicyVersion
from declaration.records import COLUMNS as CONTROLLER_COLUMNS
from declaration.records import build_records, records_as_csv
from declaration.selectors import get_declaration
from processors.models import Recipient
from processors.selectors import recipient_blockers
from retention.models import SweepCount, SweepRun
from rights.models import Request
from wekst.evidence.readme import README
from wekst.spreadsheets import csv_text

MANIFEST = "MANIFEST.sha256"


def _html_table(title: str, columns, rows) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title></head><body><h1>{escape(title)}</h1><table border=1><thead><tr>{head}</tr>"
        f"</thead><tbody>{body}</tbody></table></body></html>"
    )


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _records() -> dict[str, str]:
    declaration = get_declaration()
    controller = [r.cells for r in build_records(declaration)]
    processor = [r.cells for r in build_processor_records()]
    return {
        "records/art30-1-controller.csv": records_as_csv(declaration),
        "records/art30-1-controller.html": _html_table(
            "Records of processing activities (GDPR Art. 30(1))", CONTROLLER_COLUMNS, controller
        ),
        "records/art30-2-processor.csv": processor_records_as_csv(),
        "records/art30-2-processor.html": _html_table(
            "Records of processing as processor (GDPR Art. 30(2))", PROCESSOR_COLUMNS, processor
        ),
    }


RECIPIENT_COLUMNS = (
    "Key", "Name", "Legal entity", "Role", "Service", "Data categories", "Countries",
    "Remote access from", "Declared safeguard", "Safeguard on record", "Safeguard checked on",
    "Agreement signed on", "Agreement version", "Agreement document on file", "In declaration",
    "Missing",
)  # fmt: skip


def _recipients() -> dict[str, str]:
    rows = [
        (
            r.key,
            r.name,
            r.legal_entity,
            r.role,
            r.service,
            "; ".join(r.data_categories),
            "; ".join(r.countries),
            r.remote_access_countries,
            r.declared_safeguard,
            r.safeguard,
            _iso(r.safeguard_checked_on),
            _iso(r.dpa_signed_on),
            r.dpa_version,
            "yes" if r.dpa_document else "no",
            "yes" if r.declared else "no",
            "; ".join(recipient_blockers(r.key)) if r.declared else "",
        )
        for r in Recipient.objects.order_by("key")
    ]
    return {"recipients.csv": csv_text([RECIPIENT_COLUMNS, *rows])}


def _policy_versions() -> dict[str, str]:
    files, rows = {}, []
    for version in PolicyVersion.objects.order_by("published_at", "version"):
        names = []
        for part in (
            "privacy_policy_en",
            "privacy_policy_nb",
            "cookie_policy_en",
            "cookie_policy_nb",
        ):
            text = getattr(version, part)
            if text:
                name = f"policy-versions/{version.version}/{part.replace('_', '-')}.html"
                files[name] = text
                names.append(name)
        rows.append(
            (
                version.version,
                _iso(version.dated),
                _iso(version.effective_date),
                _iso(version.published_at),
                "yes" if version.significant else "no",
                version.summary_en,
                " ".join(names),
            )
        )
    header = (
        "Version",
        "Dated",
        "Takes effect",
        "Published at",
        "Significant",
        "What changed",
        "Files",
    )
    files["policy-versions.csv"] = csv_text([header, *rows])
    return files


DECISION_COLUMNS = (
    "Banner version", "Decisions", "Accept all", "Reject all", "Chosen per category",
    "With GPC", "Analytics allowed", "Marketing allowed", "Embedded allowed",
    "Acceptance rate", "Rejection rate", "Analytics rate", "Marketing rate", "Embedded rate",
    "GPC share",
)  # fmt: skip


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else ""


def _consent() -> dict[str, str]:
    files, rows = {}, []
    for banner in BannerText.objects.order_by("banner_version", "language", "recorded_at"):
        name = f"consent/banner-texts/{banner.banner_version}-{banner.language}-{banner.sha256[:12]}.txt"
        files[name] = banner.text
        rows.append(
            (banner.sha256, banner.banner_version, banner.language, _iso(banner.recorded_at), name)
        )
    header = ("SHA-256", "Banner version", "Language", "First shown", "File")
    files["consent/banner-texts.csv"] = csv_text([header, *rows])
    figures = (
        ConsentDecision.objects.values("banner_version")
        .annotate(
            n=Count("pk"),
            accept=Count("pk", filter=Q(action=ConsentDecision.Action.ACCEPT_ALL)),
            reject=Count("pk", filter=Q(action=ConsentDecision.Action.REJECT_ALL)),
            choose=Count("pk", filter=Q(action=ConsentDecision.Action.CHOOSE)),
            gpc=Count("pk", filter=Q(gpc=True)),
            analytics=Count("pk", filter=Q(analytics=True)),
            marketing=Count("pk", filter=Q(marketing=True)),
            embedded=Count("pk", filter=Q(embedded=True)),
        )
        .order_by("banner_version")
    )
    rows = [
        (
            f["banner_version"],
            f["n"],
            f["accept"],
            f["reject"],
            f["choose"],
            f["gpc"],
            f["analytics"],
            f["marketing"],
            f["embedded"],
            _rate(f["accept"], f["n"]),
            _rate(f["reject"], f["n"]),
            _rate(f["analytics"], f["n"]),
            _rate(f["marketing"], f["n"]),
            _rate(f["embedded"], f["n"]),
            _rate(f["gpc"], f["n"]),
        )
        for f in figures
    ]
    files["consent/decisions-by-banner-version.csv"] = csv_text([DECISION_COLUMNS, *rows])
    return files


REQUEST_COLUMNS = (
    "Reference", "Kind", "Received via", "Received", "Verified", "Due", "Extended by months",
    "Forwarded to clinic", "Closed", "Status", "Refusal ground", "On time",
)  # fmt: skip


def on_time(request: Request, now) -> str:
    """'yes' or 'no' once decided (closed, or open past its due date); '' while still in time."""
    if request.closed_at:
        return "yes" if request.closed_at <= request.due_at else "no"
    return "no" if now > request.due_at else ""


def _requests(now) -> dict[str, str]:
    rows, verdicts = [], Counter()
    for r in Request.objects.order_by("received_at"):
        verdict = on_time(r, now)
        verdicts[verdict] += 1
        rows.append(
            (
                r.public_id,
                r.kind,
                r.received_via,
                _iso(r.received_at),
                _iso(r.verified_at),
                _iso(r.due_at),
                r.extended_by_months,
                _iso(r.forwarded_at),
                _iso(r.closed_at),
                r.status,
                r.refusal_ground,
                verdict,
            )
        )
    decided = verdicts["yes"] + verdicts["no"]
    rate = f"{verdicts['yes'] / decided:.1%}" if decided else "no request decided yet"
    summary = (
        f"Privacy requests: {len(rows)}\n"
        f"Answered on time: {verdicts['yes']}\n"
        f"Late (closed after the due date, or open past it): {verdicts['no']}\n"
        f"Open and still in time: {verdicts['']}\n"
        f"On-time rate: {rate}\n"
    )
    return {
        "privacy-requests.csv": csv_text([REQUEST_COLUMNS, *rows]),
        "privacy-requests-summary.txt": summary,
    }


def _retention() -> dict[str, str]:
    runs = [
        (
            run.pk,
            _iso(run.started_at),
            _iso(run.finished_at),
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
            _iso(c.cutoff),
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


def _breaches() -> dict[str, str]:
    rows = []
    for breach in Breach.objects.select_related("clinic").order_by("became_aware_at"):
        values = [getattr(breach, field) for field in BREACH_FIELDS]
        values = [_iso(v) if hasattr(v, "isoformat") else v for v in values]
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


def _audit_chain(now) -> dict[str, str]:
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


def build_evidence_files(*, now=None) -> dict[str, bytes]:
    """Every file of the pack (path: bytes), the manifest last."""
    now = now or timezone.now()
    controller = get_declaration().controller
    texts = {
        "README.txt": README.format(controller=controller.legal_name, made=f"{now:%Y-%m-%d %H:%M}"),
        **_records(),
        **_recipients(),
        **_policy_versions(),
        **_consent(),
        **_requests(now),
        **_retention(),
        **_breaches(),
        **_audit_chain(now),
    }
    files = {name: text.encode() for name, text in texts.items()}
    files[MANIFEST] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    ).encode()
    return files


def build_evidence_pack(*, now=None) -> bytes:
    """The ZIP itself, deterministic in its order."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in build_evidence_files(now=now).items():
            archive.writestr(name, data)
    return output.getvalue()
