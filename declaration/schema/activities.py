"""Reading the processing activities: each purpose with its legal basis, data, rule and recipients.

An activity may only name a retention rule, a recipient, a data category or a subject category
that the declaration defines, so the policy never points at something it does not explain.
"""

from __future__ import annotations

from typing import Any

from declaration.schema.entries import (
    Activity,
    DataCategory,
    Recipient,
    RetentionRule,
    SubjectCategory,
    Text,
)
from declaration.schema.reader import Reader
from declaration.schema.special import read_special_categories
from declaration.schema.vocabulary import LEGAL_BASES


def read_activities(
    r: Reader,
    data: dict,
    *,
    categories: dict[str, DataCategory],
    subjects: dict[str, SubjectCategory],
    rules: dict[str, RetentionRule],
    recipients: dict[str, Recipient],
) -> dict[str, Activity]:
    activities = {}
    for key, raw in r.mapping(data.get("activities"), "activities").items():
        where = f"activities.{key}"
        raw = r.mapping(raw, where)
        basis, interest = _read_legal_basis(r, raw, where)
        retention = r.string(raw, "retention", where)
        if retention and retention not in rules:
            r.problem(where, f"unknown retention rule {retention!r}")
        recipient_keys = _read_recipient_keys(r, raw, where, recipients)
        collected = r.collected(raw, where, categories)
        activities[key] = Activity(
            key=key,
            name=r.text(raw, "name", where),
            purpose=r.text(raw, "purpose", where),
            legal_basis=basis or "",
            legitimate_interest=interest,
            data_categories=tuple(collected),
            data_collected=collected,
            data_subjects=r.keys(raw, "data_subjects", where, subjects, "subject category"),
            retention=retention,
            recipients=tuple(recipient_keys),
            source=r.text(raw, "source", where),
            required=r.text(raw, "required", where),
            profiling=r.boolean(raw, "profiling", where, False),
            special=read_special_categories(r, raw, where),
        )
    return activities


def _read_legal_basis(r: Reader, raw: dict, where: str) -> tuple[Any, Text | None]:
    """The Art. 6(1) basis, and the interest pursued when it is legitimate interests."""
    basis = raw.get("legal_basis")
    if not basis:
        r.problem(where, "legal_basis is missing (GDPR Art. 6(1))")
    elif basis not in LEGAL_BASES:
        r.problem(where, f"unknown legal_basis {basis!r}; use one of {', '.join(LEGAL_BASES)}")
    interest = r.text(raw, "legitimate_interest", where, optional=True)
    if basis == "legitimate_interests" and interest is None:
        r.problem(
            where, "legitimate_interests needs the legitimate_interest pursued (Art. 13(1)(d))"
        )
    return basis, interest


def _read_recipient_keys(
    r: Reader, raw: dict, where: str, recipients: dict[str, Recipient]
) -> list:
    recipient_keys = raw.get("recipients", [])
    if not isinstance(recipient_keys, list):
        r.problem(where, "recipients must be a list")
        recipient_keys = []
    for item in recipient_keys:
        if item not in recipients:
            r.problem(where, f"unknown recipient {item!r}")
    return recipient_keys
