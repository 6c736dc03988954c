"""Reading the declaration's smaller sections: who is responsible, the categories, the rules kept.

Each function reads one top-level section of declaration.yaml and returns its frozen form; a
problem is recorded on the Reader, naming the entry, and a stand-in value keeps reading going.
"""

from __future__ import annotations

from declaration.schema.entries import (
    Authority,
    Children,
    Controller,
    DataCategory,
    RetentionRule,
    SubjectCategory,
    Text,
)
from declaration.schema.reader import Reader
from declaration.schema.vocabulary import AGE_OF_CONSENT_RANGE, NOT_PERSONAL, RETENTION_UNITS


def read_controller(r: Reader, data: dict) -> Controller:
    raw = r.mapping(data.get("controller"), "controller")
    return Controller(
        **{
            name: r.string(raw, name, "controller")
            for name in ("legal_name", "trading_name", "org_number", "email", "website")
        },
        address=r.text(raw, "address", "controller"),
    )


def read_supervisory_authority(r: Reader, data: dict) -> Authority:
    raw = r.mapping(data.get("supervisory_authority"), "supervisory_authority")
    return Authority(
        name=r.string(raw, "name", "supervisory_authority"),
        website=r.string(raw, "website", "supervisory_authority"),
        address=r.text(raw, "address", "supervisory_authority"),
    )


def read_children(r: Reader, data: dict) -> Children:
    """The age of consent (GDPR Art. 8(1)): within the range a member state may set."""
    raw = r.mapping(data.get("children"), "children")
    age = raw.get("age_of_consent")
    low, high = AGE_OF_CONSENT_RANGE
    if isinstance(age, bool) or not isinstance(age, int) or not low <= age <= high:
        r.problem(
            "children",
            f"age_of_consent must be a whole number from {low} to {high} "
            f"(GDPR Art. 8(1); personopplysningsloven § 5), not {age!r}",
        )
        age = high
    return Children(age_of_consent=age)


def read_data_categories(r: Reader, data: dict) -> dict[str, DataCategory]:
    categories = {}
    for key, raw in r.mapping(data.get("data_categories"), "data_categories").items():
        where = f"data_categories.{key}"
        raw = r.mapping(raw, where)
        categories[key] = DataCategory(
            key=key, name=r.text(raw, "name", where), examples=r.text(raw, "examples", where)
        )
    return categories


def read_subject_categories(r: Reader, data: dict) -> dict[str, SubjectCategory]:
    subjects = {}
    for key, raw in r.mapping(data.get("subject_categories"), "subject_categories").items():
        where = f"subject_categories.{key}"
        subjects[key] = SubjectCategory(key=key, name=r.text(r.mapping(raw, where), "name", where))
    return subjects


def read_retention_rules(r: Reader, data: dict) -> dict[str, RetentionRule]:
    """Each rule's period (or none: kept until `counts_from` ends) and where others publish theirs."""
    rules = {}
    for key, raw in r.mapping(data.get("retention_rules"), "retention_rules").items():
        where = f"retention_rules.{key}"
        raw = r.mapping(raw, where)
        period, unit = raw.get("period"), raw.get("unit")
        if period is not None and (not isinstance(period, int) or period <= 0):
            r.problem(where, "period must be a positive whole number, or left out")
        if period is not None and unit not in RETENTION_UNITS:
            r.problem(where, f"unit must be one of {', '.join(sorted(RETENTION_UNITS))}")
        link = raw.get("link")
        if link is not None and not (isinstance(link, str) and link.startswith("https://")):
            r.problem(where, "link must be an https:// address, or left out")
            link = None
        rules[key] = RetentionRule(
            key=key,
            period=period,
            unit=unit if period is not None else None,
            counts_from=r.string(raw, "counts_from", where),
            description=r.text(raw, "description", where),
            link=link,
        )
    return rules


def read_security_measures(r: Reader, data: dict) -> tuple[Text, ...]:
    """The measures the records of processing list (Art. 30(1)(g)), at least one."""
    measures_raw = data.get("security_measures")
    if not isinstance(measures_raw, list) or not measures_raw:
        r.problem("security_measures", "must list the measures taken (Art. 30(1)(g), Art. 32)")
        measures_raw = []
    return tuple(
        r.text({"m": m}, "m", f"security_measures[{i}]") for i, m in enumerate(measures_raw)
    )


def read_personal_data_fields(
    r: Reader, data: dict, categories: dict[str, DataCategory]
) -> dict[str, dict[str, str]]:
    """Each model field's data category, or `none`: the categories must be declared ones."""
    fields = {}
    for model, raw in r.mapping(data.get("personal_data_fields"), "personal_data_fields").items():
        where = f"personal_data_fields.{model}"
        raw = r.mapping(raw, where)
        for field_name, category in raw.items():
            if category != NOT_PERSONAL and category not in categories:
                r.problem(where, f"{field_name}: unknown data category {category!r}")
        fields[model] = {str(k): str(v) for k, v in raw.items()}
    return fields
