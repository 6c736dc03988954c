"""The consent log as CSV for staff, with cells that a spreadsheet cannot run as formulas."""

from collections.abc import Iterable, Iterator

from consent.models import ConsentDecision
from wekst import spreadsheets
from wekst.spreadsheets import safe_cell

COLUMNS = (
    "consent_id",
    "decided_at",
    "action",
    "method",
    "analytics",
    "marketing",
    "embedded",
    "gpc",
    "banner_version",
    "policy_version",
    "language",
    "truncated_ip",
    "public_id",
    "banner_text_hash",
)


def decision_rows(decisions: Iterable[ConsentDecision]) -> Iterator[list[str]]:
    """The header, then one row per decision, every cell made safe."""
    yield list(COLUMNS)
    for decision in decisions:
        yield [
            safe_cell(
                decision.decided_at.isoformat() if name == "decided_at" else getattr(decision, name)
            )
            for name in COLUMNS
        ]


def csv_lines(decisions: Iterable[ConsentDecision]) -> Iterator[str]:
    # The shared helper (wekst/spreadsheets.py) makes every cell safe once more; idempotent.
    return spreadsheets.csv_lines(decision_rows(decisions))
