"""Reading the policy's versions: newest first, each named once, a significant one told in time.

Policy §13 and checklist TP-05: a significant change takes effect only after the people it
concerns have been told (declaration.notices), so its effective_date is checked here.
"""

from __future__ import annotations

import datetime

from declaration.schema.entries import Version
from declaration.schema.reader import Reader
from declaration.schema.vocabulary import SIGNIFICANT_CHANGE_NOTICE


def read_versions(r: Reader, data: dict) -> tuple[Version, ...]:
    versions = []
    raw_versions = data.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        r.problem("versions", "must list at least one version, newest first")
        raw_versions = []
    for index, raw in enumerate(raw_versions):
        version = _read_version(r, raw, index)
        check_effective_date(r, version, f"versions.{version.version or index}")
        versions.append(version)
    dates = [v.date for v in versions]
    if dates != sorted(dates, reverse=True):
        r.problem("versions", "must be listed newest first")
    if len({v.version for v in versions}) != len(versions):
        r.problem("versions", "each version must be named once")
    return tuple(versions)


def _read_version(r: Reader, raw: object, index: int) -> Version:
    where = f"versions[{index}]"
    raw = r.mapping(raw, where)
    date = raw.get("date")
    if not isinstance(date, datetime.date):
        r.problem(where, "date must be a date (YYYY-MM-DD)")
        date = datetime.date.min
    return Version(
        version=r.string(raw, "version", where),
        date=date,
        summary=r.text(raw, "summary", where),
        significant=r.boolean(raw, "significant", where, False),
        cookies_changed=r.boolean(raw, "cookies_changed", where, False),
        effective_date=raw.get("effective_date"),
    )


def check_effective_date(r: Reader, version: Version, where: str) -> None:
    """A significant change takes effect no sooner than SIGNIFICANT_CHANGE_NOTICE after its date,
    so the people told of it (declaration.notices) hear before it applies (TP-05, DEC-06)."""
    effective, days = version.effective_date, SIGNIFICANT_CHANGE_NOTICE.days
    if effective is not None and not isinstance(effective, datetime.date):
        r.problem(where, "effective_date must be a date (YYYY-MM-DD)")
    elif version.significant and effective is None:
        r.problem(
            where,
            f"is marked significant, so it needs an effective_date at least {days} days after "
            f"its date {version.date}: the people concerned are told before it takes effect",
        )
    elif effective is not None and effective < version.date:
        r.problem(where, f"effective_date {effective} is before its date {version.date}")
    elif version.significant and effective < version.date + SIGNIFICANT_CHANGE_NOTICE:
        r.problem(
            where,
            f"effective_date {effective} is only {(effective - version.date).days} day(s) after "
            f"its date {version.date}; a significant change takes effect at least {days} days "
            "after it is published",
        )
