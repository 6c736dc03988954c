"""CSV for staff that a spreadsheet cannot run: every export goes through here (SEC-03).

A cell that starts with = + - @ (or a tab or line break before one) is read as a formula by
Excel, LibreOffice and Google Sheets, and a formula can fetch URLs or run commands on the
computer of whoever opens the export ("CSV injection", OWASP). Such a cell gets a leading
apostrophe, which makes it text; the full-width forms are caught as well, since some
spreadsheets read them as the ASCII ones.
"""

import csv
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value: object) -> str:
    """The cell as text; made inert when a spreadsheet could take it for a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(value) for value in values]


class _Echo:
    """A file-like object that returns what is written, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Each row as one CSV line, every cell made safe: for a StreamingHttpResponse."""
    writer = csv.writer(_Echo())
    return (writer.writerow(safe_row(row)) for row in rows)


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """All rows as one CSV text, every cell made safe."""
    return "".join(csv_lines(rows))
