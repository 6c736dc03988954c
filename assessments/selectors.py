"""Reading the DPIA register: which assessments have lapsed, and which DPIA the declaration
names that the register does not hold (GDPR Art. 35(11); CL-06)."""

import datetime

from django.db.models import QuerySet

from assessments.models import DPIA
from declaration.schema import Declaration


def lapsed_dpias(*, on: datetime.date) -> QuerySet[DPIA]:
    """Assessments past their review date: the processing they cover is to be reviewed (Art.
    35(11)) before it can count on them again."""
    return DPIA.objects.filter(review_on__lt=on)


def missing_dpias(*, declaration: Declaration) -> dict[str, list[str]]:
    """Each DPIA the declaration names that the register does not hold, with the entries naming
    it; empty when every reference is on record."""
    named = declaration.dpia_references()
    held = set(DPIA.objects.filter(reference__in=named).values_list("reference", flat=True))
    return {reference: entries for reference, entries in named.items() if reference not in held}


def dpia_covers(dpia: DPIA, entry: str) -> bool:
    """Whether the assessment covers a declared entry ("clinic_processing.<key>")."""
    return entry in (dpia.processing_covered or [])
