"""Reading the raw declaration: each value checked as it is read, every problem kept.

Every section reader takes a Reader and records what is wrong instead of stopping at the first
mistake, so one start-up names every entry to fix.
"""

from __future__ import annotations

from typing import Any

from declaration.schema.entries import Text
from declaration.schema.vocabulary import LANGUAGES


class Reader:
    """Reads the raw mapping, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, data: Any, where: str) -> dict:
        if not isinstance(data, dict):
            self.problem(where, "must be a mapping")
            return {}
        return data

    def string(self, data: dict, key: str, where: str) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problem(where, f"{key} is missing")
            return ""
        if not isinstance(value, str | int | float):
            self.problem(where, f"{key} must be text")
            return ""
        return str(value).strip()

    def text(self, data: dict, key: str, where: str, *, optional: bool = False) -> Text | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, dict):
            self.problem(where, f"{key} is missing or not a text in {' and '.join(LANGUAGES)}")
            return Text(en="", nb="")
        missing = [lang for lang in LANGUAGES if not str(value.get(lang) or "").strip()]
        if missing:
            self.problem(where, f"{key} has no text in {', '.join(missing)}")
        return Text(en=str(value.get("en") or "").strip(), nb=str(value.get("nb") or "").strip())

    def keys(self, data: dict, key: str, where: str, known: dict | None, kind: str) -> tuple:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.problem(where, f"{key} must list at least one {kind}")
            return ()
        if known is not None:
            for item in value:
                if item not in known:
                    self.problem(where, f"unknown {kind} {item!r} in {key}")
        return tuple(str(item) for item in value)

    def collected(self, data: dict, where: str, known: dict) -> dict[str, Text]:
        """An activity's `data_categories`: each category it uses, with what it collects in it.

        The activity's own list, in both languages, so the policy never prints a category's
        generic examples for an activity that does not collect them (a newsletter sign-up asks
        for no phone number).
        """
        value = data.get("data_categories")
        if not isinstance(value, dict) or not value:
            self.problem(
                where,
                "data_categories must map each data category to what this activity collects "
                "in it, in en and nb (e.g. contact: {en: Email address, nb: E-postadresse})",
            )
            return {}
        collected = {}
        for key in value:
            if key not in known:
                self.problem(where, f"unknown data category {key!r} in data_categories")
            collected[str(key)] = self.text(value, key, f"{where}.data_categories")
        return collected

    def boolean(self, data: dict, key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(where, f"{key} must be true or false")
            return default
        return value
