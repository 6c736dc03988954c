"""What a person is given: the access report (Art. 15, 20) as JSON and CSV, and the erasure report
(Art. 17). Plain data; the selectors and services fill them in.

The JSON schema (`wekst-access-report/1`) is documented in docs/rights.md.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from declaration.schema import Activity, Declaration, Recipient
from wekst import spreadsheets

JSON_SCHEMA = "wekst-access-report/1"


def safe_cell(value: object) -> str:
    """A cell of the CSV report: structures as JSON text, then made formula-safe by the shared
    helper (wekst/spreadsheets.py; SEC-03)."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return spreadsheets.safe_cell(value)


@dataclass(frozen=True)
class RecordSet:
    """The records of one kind (one model) about the person."""

    label: str
    name: str
    fields: list[tuple[str, str, str]]  # (field name, label, data category)
    rows: list[dict[str, Any]]
    activities: tuple[str, ...] | None
    redactions: int = 0


@dataclass(frozen=True)
class RecipientInfo:
    name: str
    role: str
    countries: tuple[str, ...]
    transfer_safeguard: str


@dataclass(frozen=True)
class ProcessingInfo:
    """One declared activity that applies to the person: the facts of Art. 15(1)(a)-(d),(g), 15(2)."""

    activity: str
    name: str
    purpose: str
    legal_basis: str
    legitimate_interest: str
    data_categories: list[str]
    recipients: list[RecipientInfo]
    retention: str
    source: str
    profiling: bool


def recipient_info(recipient: Recipient, language: str = "en") -> RecipientInfo:
    return RecipientInfo(
        name=recipient.name.in_language(language),
        role=recipient.role,
        countries=recipient.countries,
        transfer_safeguard=recipient.transfer_safeguard or "",
    )


def processing_info(declaration: Declaration, activity: Activity, language: str) -> ProcessingInfo:
    def text(value) -> str:
        return value.in_language(language) if value is not None else ""

    return ProcessingInfo(
        activity=activity.key,
        name=text(activity.name),
        purpose=text(activity.purpose),
        legal_basis=f"{activity.legal_basis} ({activity.legal_basis_article.in_language(language)})",
        legitimate_interest=text(activity.legitimate_interest),
        data_categories=[
            text(declaration.data_categories[key].name) for key in activity.data_categories
        ],
        recipients=[recipient_info(r, language) for r in declaration.recipients_of(activity)],
        retention=text(declaration.retention_rules[activity.retention].description),
        source=text(activity.source),
        profiling=activity.profiling,
    )


@dataclass(frozen=True)
class AccessReport:
    generated_at: datetime.datetime
    subject_ref: str
    language: str
    record_sets: list[RecordSet]
    processing: list[ProcessingInfo]
    declaration: Declaration = field(repr=False)
    # The processors the person's data was actually disclosed to, of all those the processing
    # may involve (Art. 19: the person is told of them on request).
    disclosed_to: list[RecipientInfo] = field(default_factory=list)

    @property
    def holds_data(self) -> bool:
        return bool(self.record_sets)

    @property
    def redactions(self) -> int:
        return sum(r.redactions for r in self.record_sets)

    @property
    def record_count(self) -> int:
        return sum(len(r.rows) for r in self.record_sets)

    def rights(self) -> dict[str, Any]:
        """Art. 15(1)(e),(f),(h): the other rights, the right to complain, automated decisions."""
        authority = self.declaration.supervisory_authority
        controller = self.declaration.controller
        return {
            "rights": [
                "rectification (Art. 16)",
                "erasure (Art. 17)",
                "restriction of processing (Art. 18)",
                "objection (Art. 21), to direct marketing at any time",
                "data portability (Art. 20)",
                "withdrawal of consent at any time (Art. 7(3))",
            ],
            "right_to_complain": {
                "authority": authority.name,
                "website": authority.website,
                "address": authority.address.in_language(self.language),
            },
            "automated_decisions": (
                "No decision with legal or similarly significant effects is made about you by "
                "automated means alone (Art. 22). Marketing profiling happens only with your "
                "consent and never for a restricted or objecting person."
            ),
            "controller": {
                "name": controller.legal_name,
                "trading_name": controller.trading_name,
                "org_number": controller.org_number,
                "address": controller.address.in_language(self.language),
                "email": controller.email,
            },
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": JSON_SCHEMA,
            "generated_at": self.generated_at.isoformat(),
            "subject_ref": self.subject_ref,
            "holds_data": self.holds_data,
            "records": {
                r.label: {
                    "name": r.name,
                    "fields": {
                        name: {"label": lbl, "category": cat} for name, lbl, cat in r.fields
                    },
                    "rows": r.rows,
                }
                for r in self.record_sets
            },
            "processing": [asdict(p) for p in self.processing],
            "disclosed_to": [asdict(r) for r in self.disclosed_to],
            **self.rights(),
        }

    def csv_rows(self) -> Iterator[list[str]]:
        """One row per field of each record (long format, so every kind fits one sheet), then the
        processing facts and the processors the data was disclosed to; every cell safe against
        formula injection."""
        yield ["section", "record_type", "record", "field", "value"]
        for record_set in self.record_sets:
            for number, row in enumerate(record_set.rows, start=1):
                for name, value in row.items():
                    yield [safe_cell(c) for c in ("record", record_set.label, number, name, value)]
        for info in self.processing:
            for name, value in asdict(info).items():
                if name == "recipients":
                    value = "; ".join(
                        f"{r['name']} ({r['role']}, {'/'.join(r['countries'])})" for r in value
                    )
                yield [safe_cell(c) for c in ("processing", info.activity, "", name, value)]
        for number, recipient in enumerate(self.disclosed_to, start=1):
            for name, value in asdict(recipient).items():
                if name == "countries":
                    value = "/".join(value)
                yield [safe_cell(c) for c in ("disclosed_to", "", number, name, value)]
        complaint = self.rights()["right_to_complain"]
        for name, value in complaint.items():
            yield [safe_cell(c) for c in ("right_to_complain", "", "", name, value)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(report: AccessReport) -> Iterator[str]:
    writer = csv.writer(_Echo())
    return (writer.writerow(row) for row in report.csv_rows())


# Erasure -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptRecords:
    """Records kept despite erasure: how many, under which law, why, and until when."""

    label: str
    count: int
    law: str
    reason: str
    kept_until: str  # ISO date of the last record's end of duty; "" when open-ended


@dataclass
class ErasureReport:
    """What an erasure did (Art. 17; checklist RG-11): erased and kept, per kind of record, and
    which processors it was passed on to. Holds counts and model labels only, no personal data,
    so it can be stored with the request and shown to the person and to staff."""

    subject_ref: str
    erased_at: datetime.datetime
    erased: dict[str, int] = field(default_factory=dict)
    kept: list[KeptRecords] = field(default_factory=list)
    passed_on_to: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "subject_ref": self.subject_ref,
            "erased_at": self.erased_at.isoformat(),
            "erased": self.erased,
            "kept": [asdict(k) for k in self.kept],
            "passed_on_to": self.passed_on_to,
        }
