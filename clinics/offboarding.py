"""The end of an engagement: the clinic chooses return or deletion of the data Wekst processed for
it, Wekst exports it (return), deletes it here and at the processors, and issues a deletion
certificate kept as evidence (GDPR Art. 28(3)(g); CL-08).

Dangerous by design: `delete_clinic_data` deletes every lead collected for the clinic and every
meeting booked from one, for good. It runs only after the clinic's recorded choice and once
every engagement has ended, and for a return only after the export was made. The processors that
received the data are told through the same retried notice an erasure request uses
(clinics.processor_erasure, answered by the rights app). Accounting records stay: bokføringsloven
§ 13 obliges Wekst to keep them (they say so themselves, `kept_under_legal_duty`). The certificate
holds counts, processors and dates, never a patient's data.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit.services import record_event
from clinics import processor_erasure
from clinics.models import Clinic, Offboarding, PrimaryAccountingRecord, SecondaryAccountingRecord
from leads.models import Lead, Meeting
from wekst.spreadsheets import csv_text

# What is exported and deleted: the records Wekst holds as the clinic's processor (CL-02 keeps them
# apart by `clinic`). Each entry: the file name in the export, the model, the path to the clinic.
CLINIC_DATA = (("leads", Lead, "clinic"), ("meetings", Meeting, "lead__clinic"))


class OffboardingRefused(Exception):
    """The step cannot be taken now; the message says why."""


def record_end_choice(
    *, clinic: Clinic, choice: str, chosen_on, instructed_by: str, actor: str
) -> Offboarding:
    """Record the clinic's choice between return and deletion at the end of its engagement: who
    at the clinic chose, when, and who recorded it. Refused while an engagement has no end, or
    while an earlier end of engagement is not yet certified."""
    if choice not in Offboarding.Choice.values:
        raise OffboardingRefused("Choose return or deletion.")
    if not instructed_by.strip():
        raise OffboardingRefused("Say who at the clinic made the choice.")
    with transaction.atomic():
        clinic = Clinic.objects.select_for_update().get(pk=clinic.pk)
        if not clinic.engagements.exists() or clinic.engagements.filter(ends_on__isnull=True):
            raise OffboardingRefused("Record the end date of the clinic's engagement first.")
        if clinic.offboardings.filter(certificate_issued_at__isnull=True).exists():
            raise OffboardingRefused("An end of engagement is already in progress for the clinic.")
        offboarding = Offboarding.objects.create(
            clinic=clinic,
            choice=choice,
            chosen_on=chosen_on,
            instructed_by=instructed_by.strip(),
            recorded_by=actor,
        )
        _audit(offboarding, actor=actor, action="create", reason=f"clinic chose {choice}")
    return offboarding


def _rows(model, path: str, clinic: Clinic) -> tuple[list[str], list[list[object]]]:
    fields = [f for f in model._meta.concrete_fields if not f.is_relation or f.name == "subject"]
    names = [f.attname if f.is_relation else f.name for f in fields]
    rows = model.objects.filter(**{path: clinic}).order_by("pk").values_list(*names)
    return names, [[None if v is None else str(v) for v in row] for row in rows]


def build_export(clinic: Clinic) -> tuple[bytes, dict[str, int]]:
    """Every record Wekst holds as the clinic's processor, as a ZIP of JSON and CSV (one pair per
    kind of record) and a manifest with the counts and each file's SHA-256."""
    buffer, counts, digests = io.BytesIO(), {}, {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, model, path in CLINIC_DATA:
            columns, rows = _rows(model, path, clinic)
            counts[name] = len(rows)
            files = {
                f"{name}.json": json.dumps(
                    [dict(zip(columns, row, strict=True)) for row in rows],
                    ensure_ascii=False,
                    indent=2,
                ),
                f"{name}.csv": csv_text([columns, *rows]),
            }
            for filename, text in files.items():
                data = text.encode("utf-8")
                digests[filename] = hashlib.sha256(data).hexdigest()
                archive.writestr(filename, data)
        manifest = {"clinic": clinic.name, "org_number": clinic.org_number}
        manifest |= {"exported_at": timezone.now().isoformat(), "counts": counts}
        archive.writestr("manifest.json", json.dumps(manifest | {"sha256": digests}, indent=2))
    return buffer.getvalue(), counts


def export_clinic_data(*, offboarding: Offboarding, actor: str) -> Offboarding:
    """Make the export the clinic gets back (return): kept in the private document storage until
    the deletion, which removes it too; its SHA-256 stays on the certificate."""
    with transaction.atomic():
        offboarding = Offboarding.objects.select_for_update().get(pk=offboarding.pk)
        if offboarding.choice != Offboarding.Choice.RETURN:
            raise OffboardingRefused("The clinic chose deletion: there is nothing to return.")
        if offboarding.deleted_at is not None:
            raise OffboardingRefused("The clinic's data is deleted already.")
        data, counts = build_export(offboarding.clinic)
        offboarding.export.save(
            f"{offboarding.clinic.slug}-{offboarding.public_id}.zip", ContentFile(data), save=False
        )
        offboarding.export_sha256 = hashlib.sha256(data).hexdigest()
        offboarding.exported_at = timezone.now()
        offboarding.save(update_fields=["export", "export_sha256", "exported_at"])
        _audit(offboarding, actor=actor, action="export", reason=f"returned: {_counted(counts)}")
    return offboarding


def delete_clinic_data(*, offboarding: Offboarding, actor: str) -> Offboarding:
    """Delete every record Wekst holds as the clinic's processor, here and at the processors that
    received it (one retried erasure notice each), and the export. Refused before every
    engagement has ended, and for a return before the export was made."""
    today = timezone.localdate()
    with transaction.atomic():
        offboarding = Offboarding.objects.select_for_update().get(pk=offboarding.pk)
        clinic = offboarding.clinic
        if offboarding.deleted_at is not None:
            raise OffboardingRefused("The clinic's data is deleted already.")
        if clinic.engagements.exclude(ends_on__lt=today).exists():
            raise OffboardingRefused("The clinic's engagement has not ended yet.")
        if offboarding.choice == Offboarding.Choice.RETURN and not offboarding.export_sha256:
            raise OffboardingRefused("The clinic chose return: make its export first.")
        subject_ids = set(Lead.objects.filter(clinic=clinic).values_list("subject_id", flat=True))

        def delete() -> dict[str, int]:
            counts = {
                name: model.objects.filter(**{path: clinic}).count()
                for name, model, path in CLINIC_DATA
            }
            # Meetings go with their lead (CASCADE); counted first, deleted by their lead.
            Lead.objects.filter(clinic=clinic).delete()
            return counts

        counts, notices = processor_erasure.delete_passing_on(
            subject_ids=subject_ids, delete=delete
        )
        if offboarding.export:
            export = offboarding.export
            transaction.on_commit(lambda: export.storage.delete(export.name))
            offboarding.export = ""
        offboarding.deleted_at, offboarding.deleted_by = timezone.now(), actor
        offboarding.deleted_counts, offboarding.processor_notices = counts, notices
        offboarding.save(
            update_fields=[
                "export",
                "deleted_at",
                "deleted_by",
                "deleted_counts",
                "processor_notices",
            ]
        )
        _audit(offboarding, actor=actor, action="erase", reason=f"deleted: {_counted(counts)}")
    return offboarding


def issue_deletion_certificate(*, offboarding: Offboarding, signer: str) -> Offboarding:
    """Issue the deletion certificate, signed by the responsible staff member: refused until the
    data is deleted here and every processor confirmed its erasure (a notice waiting for staff is
    marked done by them once the processor's own interface shows the data gone)."""
    with transaction.atomic():
        offboarding = Offboarding.objects.select_for_update().get(pk=offboarding.pk)
        if offboarding.deleted_at is None:
            raise OffboardingRefused("Delete the clinic's data first.")
        if offboarding.certificate_issued_at is not None:
            raise OffboardingRefused("The certificate is issued already.")
        outcomes = processor_erasure.notice_outcomes(offboarding.processor_notices)
        waiting = sorted({o["processor"] for o in outcomes if o["status"] != "done"})
        if waiting:
            raise OffboardingRefused(
                f"Waiting for the processors to confirm: {', '.join(waiting)}."
            )
        offboarding.certificate_issued_at = timezone.now()
        offboarding.certificate_signed_by = signer
        offboarding.certificate = certificate_text(offboarding, outcomes)
        offboarding.certificate_sha256 = hashlib.sha256(
            offboarding.certificate.encode("utf-8")
        ).hexdigest()
        offboarding.save(
            update_fields=[
                "certificate",
                "certificate_sha256",
                "certificate_signed_by",
                "certificate_issued_at",
            ]
        )
        _audit(offboarding, actor=signer, action="create", reason="deletion certificate issued")
    return offboarding


def certificate_text(offboarding: Offboarding, outcomes: list[dict[str, str]]) -> str:
    """The certificate: the clinic, its choice, what was deleted (counts per kind of record),
    where and when, the processors' confirmations, what is kept under a legal duty, and who
    signs. No patient's data: counts and processors only. In English, as the agreements are."""
    clinic = offboarding.clinic
    kept = {
        "primary accounting records (bokføringsloven § 13: 5 years)": (
            PrimaryAccountingRecord.objects.filter(clinic=clinic).count()
        ),
        "secondary accounting records (bokføringsloven § 13: 3.5 years)": (
            SecondaryAccountingRecord.objects.filter(clinic=clinic).count()
        ),
    }
    ended = max(e.ends_on for e in clinic.engagements.all())
    lines = [
        "DELETION CERTIFICATE (GDPR Art. 28(3)(g))",
        "",
        f"Controller: {clinic.name} (organisation number {clinic.org_number or '-'})",
        "Processor: Wekst",
        f"Certificate: {offboarding.public_id}",
        f"Engagement ended: {ended.isoformat()}",
        f"The clinic's choice: {offboarding.choice}, made on {offboarding.chosen_on.isoformat()} "
        f"by {offboarding.instructed_by}",
    ]
    if offboarding.export_sha256:
        lines.append(
            f"Returned: export made {offboarding.exported_at.isoformat()}, "
            f"SHA-256 {offboarding.export_sha256}; Wekst's copy of the export is deleted."
        )
    lines += ["", f"Deleted at Wekst on {offboarding.deleted_at.isoformat()}:"]
    lines += [f"- {name}: {count}" for name, count in offboarding.deleted_counts.items()]
    lines += ["", "Deleted at the processors that received the data:"]
    lines += [
        f"- {o['processor']}: erasure {o['status']} {o['completed_at']}".rstrip() for o in outcomes
    ] or ["- none: no processor held the clinic's data"]
    lines += [
        "",
        "Kept under a legal duty (Wekst's own accounting about the engagement, holding no data "
        "of the clinic's patients or customers):",
        *[f"- {label}: {count}" for label, count in kept.items()],
        "Entries in Wekst's index of people that no record is left for are deleted by the daily "
        "retention sweep (rule subject_without_records).",
        "",
        f"Signed by: {offboarding.certificate_signed_by}, responsible for the deletion",
        f"Issued at: {offboarding.certificate_issued_at.isoformat()}",
    ]
    return "\n".join(lines) + "\n"


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in counts.items())


def _audit(offboarding: Offboarding, *, actor: str, action: str, reason: str) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="clinics.Offboarding",
        object_id=offboarding.pk,
        reason=f"clinic {offboarding.clinic_id}: {reason}",
    )
