"""Reading special categories (GDPR Art. 9): what a processing can reveal, its Art. 9(2)
condition and its DPIA; and the kinds of processing Wekst carries out for clinics.

Processing that can reveal health data (an audience built from a clinic's treatment pages, a
patient list for customer match, an enquiry to a clinic) is forbidden by Art. 9(1) unless an
Art. 9(2) condition applies, and is likely to result in a high risk (Art. 35(3)(b)): an entry
that reveals a special category without naming both its condition and its DPIA is refused at
start-up, naming the entry (checklist CL-06).
"""

from __future__ import annotations

import re

from declaration.schema.entries import ClinicProcessing, SpecialCategories
from declaration.schema.reader import Reader
from declaration.schema.vocabulary import (
    ART9_CONDITIONS,
    DPIA_REFERENCE_PATTERN,
    SPECIAL_CATEGORIES,
)


def read_special_categories(
    r: Reader, raw: dict, where: str, *, required: bool = False
) -> SpecialCategories:
    """`special_categories`, `art9_condition` and `dpia` of one entry.

    `required`: the entry must say `special_categories` even when it reveals none (`[]`), so
    that someone decided; an activity of Wekst's own may leave it out (it reveals none).
    """
    if "special_categories" not in raw:
        if required:
            r.problem(
                where,
                "special_categories is missing: list the special categories of data (GDPR "
                "Art. 9(1)) this processing can reveal, e.g. [health], or [] for none",
            )
        categories = []
    else:
        categories = raw.get("special_categories")
    if not isinstance(categories, list):
        r.problem(where, "special_categories must be a list, e.g. [health]")
        categories = []
    for category in categories:
        if category not in SPECIAL_CATEGORIES:
            r.problem(
                where,
                f"unknown special category {category!r}; use one of {', '.join(SPECIAL_CATEGORIES)}",
            )
    condition = raw.get("art9_condition")
    dpia = raw.get("dpia")
    if not categories:
        for key, value in (("art9_condition", condition), ("dpia", dpia)):
            if value:
                r.problem(where, f"{key} is given but special_categories names none")
        return SpecialCategories()
    revealed = " and ".join(f"{c.replace('_', ' ')} data" for c in categories)
    if not condition:
        r.problem(
            where,
            f"can reveal {revealed} (special_categories) but names no Art. 9(2) condition: add "
            f"art9_condition, one of {', '.join(ART9_CONDITIONS)}",
        )
    elif condition not in ART9_CONDITIONS:
        r.problem(
            where,
            f"unknown art9_condition {condition!r}; use one of {', '.join(ART9_CONDITIONS)}",
        )
        condition = ""
    if not dpia:
        r.problem(
            where,
            f"can reveal {revealed} (special_categories) but names no DPIA (GDPR Art. 35): add "
            "dpia, the reference of its data protection impact assessment in the register",
        )
    elif not isinstance(dpia, str) or not re.fullmatch(DPIA_REFERENCE_PATTERN, dpia):
        r.problem(where, f"dpia {dpia!r} is not a register reference such as DPIA-2026-01")
        dpia = ""
    return SpecialCategories(
        categories=tuple(str(c) for c in categories),
        condition=str(condition or ""),
        dpia=str(dpia or ""),
    )


def read_clinic_processing(r: Reader, data: dict) -> dict[str, ClinicProcessing]:
    """The kinds of processing Wekst carries out for clinics as their processor (Art. 30(2)(b)),
    each saying which special categories it can reveal (none: `[]`)."""
    entries = {}
    for key, raw in r.mapping(data.get("clinic_processing"), "clinic_processing").items():
        where = f"clinic_processing.{key}"
        raw = r.mapping(raw, where)
        entries[key] = ClinicProcessing(
            key=key,
            name=r.text(raw, "name", where),
            description=r.text(raw, "description", where),
            special=read_special_categories(r, raw, where, required=True),
        )
    return entries
