"""The evidence pack's log of privacy requests, with their timings and the on-time rate (GDPR
Art. 12(3)); no name, address, email or free text about the person."""

from collections import Counter

from rights.models import Request
from wekst.evidence.common import iso
from wekst.spreadsheets import csv_text

REQUEST_COLUMNS = (
    "Reference", "Kind", "Received via", "Received", "Verified", "Due", "Extended by months",
    "Forwarded to clinic", "Closed", "Status", "Refusal ground", "On time",
)  # fmt: skip


def on_time(request: Request, now) -> str:
    """'yes' or 'no' once decided (closed, or open past its due date); '' while still in time."""
    if request.closed_at:
        return "yes" if request.closed_at <= request.due_at else "no"
    return "no" if now > request.due_at else ""


def request_files(now) -> dict[str, str]:
    rows, verdicts = [], Counter()
    for r in Request.objects.order_by("received_at"):
        verdict = on_time(r, now)
        verdicts[verdict] += 1
        rows.append(
            (
                r.public_id,
                r.kind,
                r.received_via,
                iso(r.received_at),
                iso(r.verified_at),
                iso(r.due_at),
                r.extended_by_months,
                iso(r.forwarded_at),
                iso(r.closed_at),
                r.status,
                r.refusal_ground,
                verdict,
            )
        )
    decided = verdicts["yes"] + verdicts["no"]
    rate = f"{verdicts['yes'] / decided:.1%}" if decided else "no request decided yet"
    summary = (
        f"Privacy requests: {len(rows)}\n"
        f"Answered on time: {verdicts['yes']}\n"
        f"Late (closed after the due date, or open past it): {verdicts['no']}\n"
        f"Open and still in time: {verdicts['']}\n"
        f"On-time rate: {rate}\n"
    )
    return {
        "privacy-requests.csv": csv_text([REQUEST_COLUMNS, *rows]),
        "privacy-requests-summary.txt": summary,
    }
