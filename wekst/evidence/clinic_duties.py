"""The evidence pack's duties as processor, per clinic: the Art. 28(3) clauses of the current
agreement, the sub-processors in use and their change log (Art. 28(2), (4); CL-03, PT-04), the
instructions Wekst warned were unlawful (CL-07), and the deletion certificates issued (Art.
28(3)(g); CL-08).

Left out, because they name people: who at the clinic chose return or deletion, the staff who
recorded, deleted or signed, and the texts a person wrote that may carry signatures (the notice
Wekst gave, the clinic's objection, the outcome note, the certificate itself: its SHA-256 is
given, so a copy the clinic holds can be checked against it)."""

import json

from clinics.models import (
    ARTICLE_28_TERMS,
    Clinic,
    Offboarding,
    SubProcessorChange,
    UnlawfulInstruction,
)
from clinics.selectors import current_agreement
from clinics.sub_processors import sub_processors_in_use
from wekst.evidence.common import iso
from wekst.spreadsheets import csv_text

CLAUSES = tuple(f"Art. 28(3)({letter})" for letter, _label in ARTICLE_28_TERMS)
AGREEMENT_COLUMNS = (
    "Clinic", "Current agreement signed on", "Ends on", *CLAUSES,
    "Authorisation of sub-processors",
)  # fmt: skip
CHANGE_COLUMNS = (
    "Clinic", "Sub-processor", "Replaces", "What it will do", "Proposed at", "Clinic notified at",
    "Notice email", "Notice sent at", "Deadline to object", "Objected on", "Authorised on",
    "Withdrawn on", "Decision today",
)  # fmt: skip
INSTRUCTION_COLUMNS = (
    "Clinic", "Received on", "Instruction", "Why it would break the law", "Notice given on",
    "Notice given by", "Outcome", "Outcome on",
)  # fmt: skip
CERTIFICATE_COLUMNS = (
    "Clinic", "Certificate", "Choice", "Chosen on", "Export SHA-256", "Exported at",
    "Deleted at", "Records deleted", "Records deleted in total", "Erasures passed to processors",
    "Issued at", "Certificate SHA-256",
)  # fmt: skip


def clinic_duty_files(today) -> dict[str, str]:
    clinics = list(Clinic.objects.order_by("name"))
    agreements, in_use = [], []
    for clinic in clinics:
        agreement = current_agreement(clinic, on=today)
        if agreement is None:
            agreements.append((clinic.name, "", "", *("" for _c in CLAUSES), ""))
        else:
            clauses = (getattr(agreement, f"clause_{letter}") for letter, _ in ARTICLE_28_TERMS)
            agreements.append(
                (
                    clinic.name,
                    iso(agreement.signed_on),
                    iso(agreement.ends_on),
                    *clauses,
                    agreement.sub_processor_authorisation,
                )
            )
        in_use += [(clinic.name, r.key, r.name) for r in sub_processors_in_use(clinic, on=today)]
    return {
        "clinics/agreements.csv": csv_text([AGREEMENT_COLUMNS, *agreements]),
        "clinics/sub-processors-in-use.csv": csv_text(
            [("Clinic", "Sub-processor", "Name"), *in_use]
        ),
        "clinics/sub-processor-changes.csv": _changes(today),
        "clinics/unlawful-instructions.csv": _instructions(),
        "clinics/deletion-certificates.csv": _certificates(),
    }


def _changes(today) -> str:
    changes = SubProcessorChange.objects.select_related(
        "clinic", "recipient", "replaces", "notice_email"
    ).order_by("clinic__name", "notified_at")
    rows = [
        (
            c.clinic.name,
            c.recipient.key,
            c.replaces.key if c.replaces else "",
            c.reason,
            iso(c.created_at),
            iso(c.notified_at),
            c.notice_email.status if c.notice_email else "",
            iso(c.notice_email.sent_at) if c.notice_email else "",
            iso(c.object_by),
            iso(c.objected_on),
            iso(c.authorised_on),
            iso(c.withdrawn_on),
            c.decision(today),
        )
        for c in changes
    ]
    return csv_text([CHANGE_COLUMNS, *rows])


def _instructions() -> str:
    instructions = UnlawfulInstruction.objects.select_related("clinic").order_by(
        "clinic__name", "received_on", "pk"
    )
    rows = [
        (
            i.clinic.name,
            iso(i.received_on),
            i.instruction,
            i.why_unlawful,
            iso(i.notified_on),
            i.notified_how,
            i.outcome,
            iso(i.outcome_on),
        )
        for i in instructions
    ]
    return csv_text([INSTRUCTION_COLUMNS, *rows])


def _certificates() -> str:
    issued = (
        Offboarding.objects.filter(certificate_issued_at__isnull=False)
        .select_related("clinic")
        .order_by("certificate_issued_at")
    )
    rows = [
        (
            o.clinic.name,
            o.public_id,
            o.choice,
            iso(o.chosen_on),
            o.export_sha256,
            iso(o.exported_at),
            iso(o.deleted_at),
            json.dumps(o.deleted_counts, sort_keys=True),
            sum(v for v in o.deleted_counts.values() if isinstance(v, int)),
            len(o.processor_notices),
            iso(o.certificate_issued_at),
            o.certificate_sha256,
        )
        for o in issued
    ]
    return csv_text([CERTIFICATE_COLUMNS, *rows])
