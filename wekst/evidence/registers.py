"""The evidence pack's registers: the records of processing (GDPR Art. 30(1), (2)), the recipient
register with agreements and safeguards (Art. 28, 44-49), and the published policy versions."""

from clinics.records import COLUMNS as PROCESSOR_COLUMNS
from clinics.records import build_processor_records, processor_records_as_csv
from declaration.models import PolicyVersion
from declaration.records import COLUMNS as CONTROLLER_COLUMNS
from declaration.records import build_records, records_as_csv
from declaration.selectors import get_declaration
from processors.models import Recipient
from processors.selectors import recipient_blockers
from wekst.evidence.common import html_table, iso, yes_no
from wekst.spreadsheets import csv_text


def records_files() -> dict[str, str]:
    declaration = get_declaration()
    controller = [r.cells for r in build_records(declaration)]
    processor = [r.cells for r in build_processor_records()]
    return {
        "records/art30-1-controller.csv": records_as_csv(declaration),
        "records/art30-1-controller.html": html_table(
            "Records of processing activities (GDPR Art. 30(1))", CONTROLLER_COLUMNS, controller
        ),
        "records/art30-2-processor.csv": processor_records_as_csv(),
        "records/art30-2-processor.html": html_table(
            "Records of processing as processor (GDPR Art. 30(2))", PROCESSOR_COLUMNS, processor
        ),
    }


RECIPIENT_COLUMNS = (
    "Key", "Name", "Legal entity", "Role", "Service", "Data categories", "Countries",
    "Remote access from", "Declared safeguard", "Safeguard on record", "Safeguard checked on",
    "Agreement signed on", "Agreement version", "Agreement document on file", "In declaration",
    "Missing",
)  # fmt: skip


def recipient_files() -> dict[str, str]:
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
            iso(r.safeguard_checked_on),
            iso(r.dpa_signed_on),
            r.dpa_version,
            yes_no(r.dpa_document),
            yes_no(r.declared),
            "; ".join(recipient_blockers(r.key)) if r.declared else "",
        )
        for r in Recipient.objects.order_by("key")
    ]
    return {"recipients.csv": csv_text([RECIPIENT_COLUMNS, *rows])}


def policy_version_files() -> dict[str, str]:
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
                iso(version.dated),
                iso(version.effective_date),
                iso(version.published_at),
                yes_no(version.significant),
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
