"""Records of processing activities as controller (GDPR Art. 30(1)), built from the declaration."""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext

from declaration.policy import (
    LEGAL_BASIS_NAMES,
    ROLE_NAMES,
    country_names,
    safeguard_description,
    special_categories_description,
)
from declaration.schema import Activity, Declaration
from wekst.spreadsheets import csv_text

# Art. 30(1)(a)-(g), in the order of the article; also the CSV header.
COLUMNS = (
    "Activity",
    "Controller and contact",
    "Purpose",
    "Legal basis",
    "Legitimate interest",
    "Categories of data subjects",
    "Categories of personal data",
    # Art. 9: the special categories, the Art. 9(2) condition, the DPIA (Art. 35; CL-06).
    "Special categories (Art. 9(2) condition, DPIA)",
    "Recipients",
    "Transfers outside the EEA and safeguards",
    "Time limit for erasure",
    "Security measures",
)


@dataclass(frozen=True)
class Record:
    activity: Activity
    cells: tuple[str, ...]


def build_records(declaration: Declaration, language: str = "en") -> list[Record]:
    """One record per processing activity, each cell a plain string in `language`."""
    c = declaration.controller
    records = []
    # Texts of the declaration and the shared names both print in the active language.
    with translation.override(language):
        controller = (
            f"{c.legal_name} ({c.trading_name}), {gettext('Org. no.')} {c.org_number}, "
            f"{c.address}, {c.email}"
        )
        measures = "; ".join(str(m) for m in declaration.security_measures)
        for activity in declaration.activities.values():
            recipients = declaration.recipients_of(activity)
            transfers = [
                f"{r.name}: {', '.join(country_names(r.countries))} - {safeguard_description(r)}"
                for r in recipients
                if r.transfers_outside_eea and r.transfer_safeguard
            ]
            cells = (
                str(activity.name),
                controller,
                str(activity.purpose),
                f"{LEGAL_BASIS_NAMES[activity.legal_basis]} ({activity.legal_basis_article})",
                str(activity.legitimate_interest or ""),
                "; ".join(
                    str(declaration.subject_categories[k].name) for k in activity.data_subjects
                ),
                "; ".join(
                    str(declaration.data_categories[k].name) for k in activity.data_categories
                ),
                special_categories_description(activity.special),
                "; ".join(f"{r.name} ({str(ROLE_NAMES[r.role]).lower()})" for r in recipients),
                "; ".join(transfers) or "-",
                str(declaration.retention_rules[activity.retention].description),
                measures,
            )
            records.append(Record(activity=activity, cells=cells))
    return records


def records_as_csv(declaration: Declaration, language: str = "en") -> str:
    rows = [COLUMNS, *(record.cells for record in build_records(declaration, language))]
    return csv_text(rows)  # formula-safe cells (SEC-03)
