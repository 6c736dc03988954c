"""Records of processing activities as controller (GDPR Art. 30(1)), built from the declaration."""

import csv
import io
from dataclasses import dataclass

from declaration.schema import Activity, Declaration

# Art. 30(1)(a)-(g), in the order of the article; also the CSV header.
COLUMNS = (
    "Activity",
    "Controller and contact",
    "Purpose",
    "Legal basis",
    "Legitimate interest",
    "Categories of data subjects",
    "Categories of personal data",
    "Recipients",
    "Transfers outside the EEA and safeguards",
    "Time limit for erasure",
    "Security measures",
)

SAFEGUARD_NAMES = {
    "adequacy": "adequacy decision (Art. 45)",
    "dpf": "EU-US Data Privacy Framework (Art. 45)",
    "scc": "Standard Contractual Clauses (Art. 46(2)(c))",
}


@dataclass(frozen=True)
class Record:
    activity: Activity
    cells: tuple[str, ...]


def build_records(declaration: Declaration, language: str = "en") -> list[Record]:
    """One record per processing activity, each cell a plain string in `language`."""
    c = declaration.controller
    controller = (
        f"{c.legal_name} ({c.trading_name}), org. no. {c.org_number}, {c.address}, {c.email}"
    )
    measures = "; ".join(m.in_language(language) for m in declaration.security_measures)
    records = []
    for activity in declaration.activities.values():
        recipients = declaration.recipients_of(activity)
        transfers = [
            f"{r.name}: {', '.join(r.countries)} - {SAFEGUARD_NAMES[r.transfer_safeguard]}"
            for r in recipients
            if r.transfers_outside_eea and r.transfer_safeguard
        ]
        cells = (
            activity.name.in_language(language),
            controller,
            activity.purpose.in_language(language),
            f"{activity.legal_basis.replace('_', ' ')} ({activity.legal_basis_article})",
            activity.legitimate_interest.in_language(language)
            if activity.legitimate_interest
            else "",
            "; ".join(
                declaration.subject_categories[k].name.in_language(language)
                for k in activity.data_subjects
            ),
            "; ".join(
                declaration.data_categories[k].name.in_language(language)
                for k in activity.data_categories
            ),
            "; ".join(f"{r.name} ({r.role.replace('_', ' ')})" for r in recipients),
            "; ".join(transfers) or "None",
            declaration.retention_rules[activity.retention].description.in_language(language),
            measures,
        )
        records.append(Record(activity=activity, cells=cells))
    return records


def records_as_csv(declaration: Declaration, language: str = "en") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for record in build_records(declaration, language):
        writer.writerow(record.cells)
    return buffer.getvalue()
