"""Reading what retention would do: the exceptions that stop it, and the dry-run preview."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from declaration.schema import RetentionRule
from declaration.selectors import get_declaration
from retention.models import LegalHold
from retention.registry import REGISTRY, Cutoff, Elsewhere, Keep, Sweep, cutoff_for
from rights.selectors import subject_ids_with_open_requests


def held_subject_ids() -> QuerySet:
    """Ids of subjects with a legal hold in force: nothing of theirs is erased by retention."""
    return LegalHold.objects.active().values("subject_id")


def is_on_legal_hold(subject) -> bool:
    return LegalHold.objects.active().filter(subject=subject).exists()


def open_request_subject_ids():
    """Ids of subjects whose privacy request is open: their data stays while we answer it
    (checklist RT-02). Without the rights app there are none; with it, a failure to tell is an
    error, never an empty answer (the sweep must not erase what a request is about)."""
    if not apps.is_installed("rights"):
        return []
    return subject_ids_with_open_requests()


LEGAL_HOLD = "legal_hold"
OPEN_REQUEST = "open_request"


def keeps_of(sweep: Sweep) -> list[Keep]:
    """Every exception that keeps due records of this sweep: its own, then the legal holds and
    open requests of the subject the records belong to."""
    keeps = list(sweep.keep)
    path = sweep.subject_path
    if path is not None:
        keeps += [
            Keep(
                LEGAL_HOLD,
                _("a legal hold is in force"),
                lambda: Q(**{f"{path}__in": held_subject_ids()}),
            ),
            Keep(
                OPEN_REQUEST,
                _("a privacy request of the person is open"),
                lambda: Q(**{f"{path}__in": open_request_subject_ids()}),
            ),
        ]
    return keeps


def erasable(sweep: Sweep, *, cutoff: Cutoff, now: datetime.datetime) -> QuerySet:
    """The due records no exception keeps: what the sweep erases (or clears) now."""
    queryset = sweep.due(cutoff=cutoff, now=now)
    for keep in keeps_of(sweep):
        queryset = queryset.exclude(keep.matching())
    return queryset


def holds_applying(sweep: Sweep, due: QuerySet) -> list[str]:
    """Public ids of the legal holds that keep some of these due records (evidence, RT-08)."""
    if sweep.subject_path is None:
        return []
    subjects = due.order_by().values(sweep.subject_path)
    return [
        str(public_id)
        for public_id in LegalHold.objects.active()
        .filter(subject__in=subjects)
        .values_list("public_id", flat=True)
    ]


@dataclass(frozen=True)
class PartPreview:
    """What one registry entry would do now: counts and references only, no personal data."""

    rule: RetentionRule
    entry: Sweep | Elsewhere
    cutoff: Cutoff | None = None
    erasable: int = 0
    kept: tuple[tuple[str, str | Promise, int], ...] = ()
    holds: tuple[str, ...] = ()
    examples: tuple[object, ...] = ()

    @property
    def is_sweep(self) -> bool:
        return isinstance(self.entry, Sweep)


def preview(*, now: datetime.datetime | None = None, examples: int = 0) -> list[PartPreview]:
    """The dry run: for every registry entry, what would be erased now and why, what is kept and
    why, and how the rules kept elsewhere are kept. Changes nothing. `examples` primary keys per
    entry are listed, so that staff can open the records in the back office."""
    now = now or timezone.now()
    rules = get_declaration().retention_rules
    parts = []
    for entry in REGISTRY:
        rule = rules[entry.rule]
        if isinstance(entry, Elsewhere):
            parts.append(PartPreview(rule=rule, entry=entry))
            continue
        cutoff = cutoff_for(rule, now)
        due = entry.due(cutoff=cutoff, now=now)
        to_erase = erasable(entry, cutoff=cutoff, now=now)
        parts.append(
            PartPreview(
                rule=rule,
                entry=entry,
                cutoff=cutoff,
                erasable=to_erase.count(),
                kept=tuple(
                    (keep.name, keep.label, due.filter(keep.matching()).count())
                    for keep in keeps_of(entry)
                ),
                holds=tuple(holds_applying(entry, due)),
                examples=tuple(
                    to_erase.order_by("pk").values_list("pk", flat=True)[:examples]
                    if examples
                    else ()
                ),
            )
        )
    return parts
