"""Deleting the data Wekst processed for a clinic, passed on to the processors that hold it, for
the end of an engagement (clinics.offboarding; GDPR Art. 28(3)(g); CL-08). Registered with
clinics.processor_erasure by rights.apps, since the clinics app sits below this one.

The processors each person's data went to are found the way an erasure request finds them, before
the clinic's records are deleted and again after: a processor that nothing we still keep about the
person needs gets an erasure notice through the same retried path (rights.services.
processor_notices), in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from rights.models import ProcessorNotice
from rights.processor_targets import processor_targets
from rights.services.processor_notices import no_longer_needed, pass_on_to_processors
from subjects.models import Subject
from subjects.selectors import records_of


def delete_passing_on(
    *, subject_ids: set[int], delete: Callable[[], dict[str, int]]
) -> tuple[dict[str, int], list[str]]:
    before = {}
    for subject in Subject.objects.filter(pk__in=subject_ids):
        records = records_of(subject)
        targets = processor_targets(subject, records, client_ids=set())
        if targets:
            before[subject.pk] = (subject, records, targets)
    counts = delete()
    notices: list[str] = []
    for subject, records, targets in before.values():
        # The same querysets, run again: they now find only the records left.
        gone = no_longer_needed(targets, processor_targets(subject, records, client_ids=set()))
        ref = str(subject.public_id)
        existing = set(ProcessorNotice.objects.filter(subject_ref=ref).values_list("pk", flat=True))
        pass_on_to_processors(kind=ProcessorNotice.Kind.ERASURE, targets=gone, subject_ref=ref)
        created = ProcessorNotice.objects.filter(subject_ref=ref).exclude(pk__in=existing)
        notices += [str(public_id) for public_id in created.values_list("public_id", flat=True)]
    return counts, notices


def notice_outcomes(public_ids: list[str]) -> list[dict[str, str]]:
    notices = ProcessorNotice.objects.filter(public_id__in=public_ids).order_by("processor")
    return [
        {
            "processor": notice.processor,
            "status": notice.status,
            "completed_at": notice.completed_at.isoformat() if notice.completed_at else "",
        }
        for notice in notices
    ]
