"""Reading `sensitive_pages`: the pages that can reveal health data and the path segments that do.

Datatilsynet fined health sites for tracking pixels on 10 June 2025: a page view of a clinic's
enquiry form, or of an article about a treatment, tells the tag's provider something about the
visitor's health (CJEU C-252/21; checklist CL-06). consent/guard.py enforces what is read here.
"""

from __future__ import annotations

import re

from declaration.schema.entries import SensitivePages
from declaration.schema.reader import Reader

WHERE = "sensitive_pages"
_SEGMENT = re.compile(r"[A-Za-z0-9._~%-]*|\*|\*\*")
_PLACEHOLDER = re.compile(r"[a-z0-9][a-z0-9-]*")


def _patterns(r: Reader, raw: dict, key: str, *, needs_star: bool) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        r.problem(WHERE, f"{key} must be a list of path patterns")
        return ()
    patterns = []
    for pattern in value:
        segments = pattern.split("/") if isinstance(pattern, str) else []
        wrong = (
            not isinstance(pattern, str)
            or not pattern.startswith("/")
            or not all(_SEGMENT.fullmatch(segment) for segment in segments)
            or "**" in segments[:-1]
        )
        if wrong:
            r.problem(
                WHERE,
                f"{key}: {pattern!r} is not a path pattern (it starts with /; * stands for one "
                "segment, ** only at the end for any rest)",
            )
        elif needs_star and "*" not in segments:
            r.problem(WHERE, f"{key}: {pattern!r} has no * marking the segment that reveals")
        else:
            patterns.append(pattern)
    return tuple(patterns)


def read_sensitive_pages(r: Reader, data: dict) -> SensitivePages:
    """The section, or an empty one when it is left out (then no page is guarded)."""
    if data.get(WHERE) is None:
        return SensitivePages()
    raw = r.mapping(data.get(WHERE), WHERE)
    placeholder = raw.get("placeholder", "redacted")
    if not isinstance(placeholder, str) or not _PLACEHOLDER.fullmatch(placeholder):
        r.problem(WHERE, "placeholder must be lower-case letters, digits and hyphens")
        placeholder = "redacted"
    return SensitivePages(
        health_related=_patterns(r, raw, "health_related", needs_star=False),
        revealing=_patterns(r, raw, "revealing", needs_star=True),
        placeholder=placeholder,
        notice=r.text(raw, "notice", WHERE),
        analytics_notice=r.text(raw, "analytics_notice", WHERE),
    )
