"""Reading the cookies and the other browser storage: each one named once, in a category, for an
activity, so the banner and the cookie policy can never show an entry nobody declared (CK-01)."""

from __future__ import annotations

from declaration.schema.entries import Activity, Cookie, StorageKey
from declaration.schema.reader import Reader
from declaration.schema.vocabulary import COOKIE_CATEGORIES, COOKIE_PARTIES, STORAGE_KINDS


def read_cookies(r: Reader, data: dict, activities: dict[str, Activity]) -> tuple[Cookie, ...]:
    return tuple(_read_entries(r, data, "cookies", activities))


def read_storage_keys(
    r: Reader, data: dict, activities: dict[str, Activity]
) -> tuple[StorageKey, ...]:
    """The `storage` list (keys outside cookies, each with its `kind`). It may be left out: a
    site that stores nothing outside cookies declares nothing."""
    return tuple(_read_entries(r, data, "storage", activities))


def _read_entries(r: Reader, data: dict, section: str, activities: dict[str, Activity]) -> list:
    entries, seen = [], set()
    raw_entries = data.get(section, [] if section == "storage" else None)
    if not isinstance(raw_entries, list):
        r.problem(section, "must be a list")
        raw_entries = []
    for index, raw in enumerate(raw_entries):
        raw = r.mapping(raw, f"{section}[{index}]")
        name = r.string(raw, "name", f"{section}[{index}]")
        where = f"{section}.{name or index}"
        if name in seen:
            r.problem(where, "is declared twice")
        seen.add(name)
        category, party = raw.get("category"), raw.get("party")
        if category not in COOKIE_CATEGORIES:
            r.problem(where, f"category must be one of {', '.join(COOKIE_CATEGORIES)}")
        if party not in COOKIE_PARTIES:
            r.problem(where, "party must be first or third")
        activity = r.string(raw, "activity", where)
        if activity and activity not in activities:
            r.problem(where, f"unknown activity {activity!r}")
        values = {
            "name": name,
            "party": party or "",
            "provider": r.string(raw, "provider", where),
            "category": category or "",
            "purpose": r.text(raw, "purpose", where),
            "lifetime": r.text(raw, "lifetime", where),
            "activity": activity,
        }
        if section == "storage":
            kind = raw.get("kind")
            if kind not in STORAGE_KINDS:
                r.problem(where, f"kind must be one of {', '.join(STORAGE_KINDS)}")
            entries.append(StorageKey(**values, kind=kind or ""))
        else:
            entries.append(Cookie(**values))
    return entries
