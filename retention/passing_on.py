"""Retention at the processors: an erasure by the sweep is passed on to each processor that
received the data and no longer needs to hold it (checklist RT-09; GDPR Art. 5(1)(e), 28(3)(g)).

The processors a person's data went to, and what each knows them by, are found the way a rights
erasure finds them (rights.processor_targets.processor_targets), before the batch erases the records and
again after: a processor that nothing we still keep needs any more gets an erasure notice through
the same retried path (rights.services.processor_notices), in the batch's transaction. So a
person whose enquiry expired but who is still a subscriber stays at the email provider, while the
booking provider loses the meeting; once nothing needs the email provider either, it is told.

Google Analytics is never told by the sweep: the only ids of it we hold are those a person gave
with a request, and its event data is deleted by the property's own retention setting
(rule `analytics_ga4`), sooner than any of our rules ends.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet

from processors.connectors import ProcessorTarget
from rights.models import ProcessorNotice
from rights.processor_targets import processor_targets
from rights.services.processor_notices import no_longer_needed, pass_on_to_processors
from subjects.models import Subject
from subjects.selectors import records_of


@dataclass(frozen=True)
class Held:
    """One person's records (lazy querysets, evaluated afresh on each use) and what the
    processors hold of them, found before the batch erases anything."""

    subject: Subject
    records: dict[str, QuerySet]
    targets: dict[str, ProcessorTarget]


def held_by_processors(subject_ids) -> dict[int, Held]:
    """What the processors hold of each of these people, for those some processor holds."""
    found = {}
    for subject in Subject.objects.filter(pk__in=set(subject_ids)):
        records = records_of(subject)
        targets = processor_targets(subject, records, client_ids=set())
        if targets:
            found[subject.pk] = Held(subject=subject, records=records, targets=targets)
    return found


def pass_on_erasures(*, before: dict[int, Held], sweep_run) -> Counter:
    """After the batch erased its records: one erasure notice per processor per person that no
    remaining record needs any more, with what it knew the person by (found `before`). Returns the
    notices queued per processor, for the sweep's evidence."""
    queued: Counter = Counter()
    for held in before.values():
        # The same querysets, run again: they now find only the records left.
        after = processor_targets(held.subject, held.records, client_ids=set())
        gone = no_longer_needed(held.targets, after)
        pass_on_to_processors(
            kind=ProcessorNotice.Kind.ERASURE,
            targets=gone,
            subject_ref=str(held.subject.public_id),
            sweep_run=sweep_run,
        )
        queued.update(gone.keys())
    return queued
