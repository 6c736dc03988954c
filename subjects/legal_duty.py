"""How a model declares that its records outlive an erasure request, and why (GDPR Art. 17(3)).

A model opts in with a class attribute, so the rule sits beside the data it governs and the
erasure code needs no list of exceptions of its own:

    class Invoice(models.Model):
        subject = models.ForeignKey("subjects.Subject", ...)
        kept_under_legal_duty = KeptUnderLegalDuty(
            law="bokføringsloven § 13",
            reason=_("Accounting records must be kept for 5 years."),
            retention_rule="accounting_primary",
            counts_from=end_of_accounting_year("issued_at"),
        )

`erase_subject` then keeps those records (clearing only `erase_fields`), and its report says what
was kept, under which law, and until when (checklist RG-11).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class KeptUnderLegalDuty:
    """Records of this model are kept when their subject is erased.

    `law` names the duty, `reason` says it to the person, `retention_rule` is the declaration's
    rule that ends the duty; `counts_from` gives the moment that rule counts from for one record
    (a field name, or a function of the record). `erase_fields` are cleared anyway: the data the
    duty does not cover (e.g. a request's contact address). `applies_to` narrows the duty to some
    records of the model (e.g. only invoiced clients); the others are erased as usual.
    """

    law: str
    reason: Any  # a (lazy) translatable text
    retention_rule: str
    counts_from: str | Callable[[models.Model], datetime.datetime | None] = "created_at"
    erase_fields: dict[str, Any] = field(default_factory=dict)
    applies_to: Callable[[QuerySet], QuerySet] | None = None

    def records_kept(self, records: QuerySet) -> QuerySet:
        return self.applies_to(records) if self.applies_to is not None else records

    def start_of(self, record: models.Model) -> datetime.datetime | None:
        if callable(self.counts_from):
            return self.counts_from(record)
        return getattr(record, self.counts_from, None)


def legal_duty_of(model: type[models.Model]) -> KeptUnderLegalDuty | None:
    duty = getattr(model, "kept_under_legal_duty", None)
    return duty if isinstance(duty, KeptUnderLegalDuty) else None


def end_of_accounting_year(field_name: str) -> Callable[[models.Model], datetime.datetime | None]:
    """The end of the accounting (calendar) year of a record's date: bookkeeping periods count
    from there, not from the record's own date (bokføringsloven § 13; checklist RT-03)."""

    def start(record: models.Model) -> datetime.datetime | None:
        value = getattr(record, field_name, None)
        if value is None:
            return None
        year = value.year
        return timezone.make_aware(datetime.datetime(year + 1, 1, 1))

    return start
