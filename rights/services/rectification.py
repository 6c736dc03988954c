"""Rectification (GDPR Art. 16, 19; RIG-05, checklist RG-10, RG-12): after staff review, the
person's corrections are applied to every record holding the field and passed on to each
processor holding a corrected value, and the person is told what was corrected and who was told.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from declaration.selectors import get_declaration
from rights.models import ProcessorNotice, Request
from rights.processor_targets import processor_targets
from rights.services.processor_notices import _passed_on_text, pass_on_to_processors
from rights.services.steps import (
    RequestNotAllowed,
    _audit,
    _close,
    _locked,
    _one_step,
    _tell_person,
)
from subjects.models import Subject
from subjects.selectors import records_of
from wekst.addresses import normalise_phone


def apply_rectification(*, request_id: int, actor: str) -> Request:
    """Apply the person's corrections, after staff review, to every record holding the field
    (Art. 16; checklist RG-10), pass them on to each processor holding a corrected field
    (Art. 19; RG-12), and tell the person what was corrected and who was told."""
    with _one_step():
        request = _locked(request_id)
        _check_rectifiable(request)
        subject = request.subject
        records = records_of(subject)
        # The processors know the person by what we sent them, so they are found before the
        # correction changes it (a corrected phone number, say).
        targets = processor_targets(subject, records, client_ids=set())
        corrected, categories = _correct_records(records, corrections=request.corrections)
        values = _correct_subject_index(request, corrected=corrected, categories=categories)
        passed_on = pass_on_to_processors(
            kind=ProcessorNotice.Kind.RECTIFICATION,
            targets=targets,
            subject_ref=str(subject.public_id),
            request=request,
            changes={
                processor: _changes_held_by(processor, values=values, categories=categories)
                for processor in targets
            },
        )
        fields = ", ".join(sorted(request.corrections))
        _close(
            request,
            status=Request.Status.COMPLETED,
            outcome=f"Corrected {fields} in {sum(corrected.values())} record(s)."
            + _passed_on_text(passed_on),
        )
        _audit(request, actor=actor, action="change", reason=f"rectification applied: {fields}")
        _tell_person(
            request,
            template="rectified",
            subject_line=_("Your data at Wekst is corrected"),
            context={"fields": sorted(request.corrections), "passed_on_to": passed_on},
        )
    return request


def _check_rectifiable(request: Request) -> None:
    if request.kind != Request.Kind.RECTIFICATION or request.status != Request.Status.OPEN:
        raise RequestNotAllowed("Only an open rectification request can be applied.")
    if not request.corrections or request.subject is None:
        raise RequestNotAllowed(
            "The request has no corrections to apply: correct by hand, then complete it."
        )


def _correct_records(
    records: dict[str, QuerySet], *, corrections: dict[str, str]
) -> tuple[dict[str, int], dict[str, set[str]]]:
    """Correct each field in every record that has it (the requests themselves stay as asked).
    Returns the records corrected per kind, and the data categories each corrected field holds
    there, as the declaration classifies it."""
    declared = get_declaration().personal_data_fields
    corrected: dict[str, int] = defaultdict(int)
    categories: dict[str, set[str]] = defaultdict(set)  # field -> data categories it holds
    for label, queryset in records.items():
        if label.startswith("rights."):
            continue
        names = {f.name for f in queryset.model._meta.concrete_fields}
        changes = {k: v for k, v in corrections.items() if k in names}
        if changes:
            count = queryset.update(**changes)
            corrected[label] += count
            if count:
                for name in changes:
                    categories[name].add(declared.get(label, {}).get(name, ""))
    return corrected, categories


def _correct_subject_index(
    request: Request, *, corrected: dict[str, int], categories: dict[str, set[str]]
) -> dict[str, str]:
    """A corrected phone number also corrects the subject index, which finds the person by it.
    Returns the corrected values as stored, for the processors."""
    values = dict(request.corrections)
    if "phone" in request.corrections:
        declared = get_declaration().personal_data_fields
        values["phone"] = normalise_phone(request.corrections["phone"])
        Subject.objects.filter(pk=request.subject_id).update(phone=values["phone"])
        corrected["subjects.Subject"] += 1
        categories["phone"].add(declared.get("subjects.Subject", {}).get("phone", ""))
    return values


def _changes_held_by(
    processor: str, *, values: dict[str, str], categories: dict[str, set[str]]
) -> dict[str, str]:
    """The corrected values a processor holds: those whose data category (as the declaration
    classifies the corrected records) is among the categories it receives. Nothing more is sent
    (Art. 5(1)(c))."""
    held = set(get_declaration().recipients[processor].data_categories)
    return {name: value for name, value in values.items() if categories.get(name, set()) & held}
