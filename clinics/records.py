"""Records of processing as processor (GDPR Art. 30(2)): one record per clinic we work for.

Beside the record as controller (declaration/records.py, Art. 30(1)); built from the clinics, their
agreements (the instructions) and the processor register (sub-processors and transfers).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone, translation

from clinics.models import Clinic
from clinics.selectors import current_agreement
from clinics.sub_processors import sub_processors_in_use
from declaration.policy import SAFEGUARD_NAMES, country_names, special_categories_description
from declaration.schema import EEA_COUNTRIES
from declaration.selectors import get_declaration
from wekst.spreadsheets import csv_text

# Art. 30(2)(a)-(d), in the order of the article; also the CSV header.
COLUMNS = (
    "Controller (clinic)",
    "Controller's contact, representative or data protection officer",
    "Processor and contact",
    "Categories of processing (purposes)",
    "Personal data",
    "Platforms",
    "Retention instructed",
    "Sub-processors",
    "Transfers outside the EEA and safeguards",
    "Security measures",
    "Agreement",
    # Declared per kind of processing (declaration clinic_processing; CL-06).
    "Special categories (the clinic's Art. 9(2) condition, DPIA)",
)


@dataclass(frozen=True)
class ProcessorRecord:
    clinic: Clinic
    cells: tuple[str, ...]


def build_processor_records(
    language: str = "en", *, on: datetime.date | None = None
) -> list[ProcessorRecord]:
    """One record per clinic with an agreement (the current one, else the latest)."""
    on = on or timezone.localdate()
    declaration = get_declaration()
    c = declaration.controller
    processor = (
        f"{c.legal_name} ({c.trading_name}), org. no. {c.org_number}, "
        f"{c.address.in_language(language)}, {c.email}"
    )
    records = []
    with translation.override(language):
        measures = "; ".join(str(m) for m in declaration.security_measures)
        after_end = declaration.retention_rules["clinic_instructions"]
        special = " | ".join(
            f"{p.name}: {special_categories_description(p.special)}"
            for p in declaration.clinic_processing.values()
            if p.special.categories
        )
        clinics = Clinic.objects.prefetch_related("agreements__sub_processors", "engagements")
        for clinic in clinics:
            agreements = sorted(clinic.agreements.all(), key=lambda a: a.signed_on, reverse=True)
            if not agreements:
                continue
            current = current_agreement(clinic, on=on)
            agreement = current or agreements[0]
            # The sub-processors in use for the clinic (CL-03); without an agreement in force,
            # those named in its latest agreement.
            subs = (
                sub_processors_in_use(clinic, on=on)
                if current
                else list(agreement.sub_processors.all())
            )
            transfers = []
            for sub in subs:
                outside = [
                    x
                    for x in dict.fromkeys([*sub.countries, *sub.remote_access])
                    if x not in EEA_COUNTRIES
                ]
                if outside:
                    safeguard = SAFEGUARD_NAMES.get(sub.safeguard, "none on record")
                    transfers.append(
                        f"{sub.name}: {', '.join(country_names(outside))} - {safeguard}"
                    )
            state = "in force" if agreement.is_current(on) else "not in force"
            cells = (
                clinic.name + (f", org. no. {clinic.org_number}" if clinic.org_number else ""),
                "; ".join(x for x in (clinic.address, clinic.email, clinic.representative) if x),
                processor,
                agreement.purposes,
                agreement.data_categories,
                agreement.platforms,
                f"{agreement.retention_months} months after the last contact; at the latest "
                f"{after_end.period} {after_end.unit} after the engagement ends",
                "; ".join(f"{s.name} ({s.legal_entity})" for s in subs) or "-",
                "; ".join(transfers) or "-",
                measures,
                f"Signed {agreement.signed_on:%Y-%m-%d} ({state})",
                special or "-",
            )
            records.append(ProcessorRecord(clinic=clinic, cells=cells))
    return records


def processor_records_as_csv(language: str = "en") -> str:
    rows = [COLUMNS, *(record.cells for record in build_processor_records(language))]
    return csv_text(rows)  # formula-safe cells (wekst/spreadsheets.py; SEC-03)
