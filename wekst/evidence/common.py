"""What every part of the evidence pack shares: dates as ISO text, rates, HTML tables."""

from django.utils.html import escape


def iso(value) -> str:
    """A date or time as ISO 8601; '' for none."""
    return value.isoformat() if value else ""


def yes_no(value) -> str:
    return "yes" if value else "no"


def rate(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else ""


def html_table(title: str, columns, rows) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title></head><body><h1>{escape(title)}</h1><table border=1><thead><tr>{head}</tr>"
        f"</thead><tbody>{body}</tbody></table></body></html>"
    )
