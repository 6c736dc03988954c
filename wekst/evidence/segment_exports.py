"""The evidence pack's log of audience segment exports for Wekst's own marketing (policy §10;
TP-07): which segment went to which platform, with how many people, when; read from the export
log (marketing.selectors.logged_exports, as the segments page reads it). No member and no staff
name."""

from marketing.selectors import logged_exports
from wekst.evidence.common import iso
from wekst.spreadsheets import csv_text

COLUMNS = ("Exported at", "Segment", "Platform", "People", "Form", "Audit entry")


def segment_export_files() -> dict[str, str]:
    rows = []
    for export in reversed(logged_exports()):  # oldest first, as the audit log runs
        # An old export the log could not read is still listed, by its entry's reason.
        platform, people, form = (
            (export.platform, export.people, "hashed" if export.hashed else "addresses")
            if export.people is not None
            else ("", "", export.reason)
        )
        rows.append((iso(export.at), export.segment, platform, people, form, export.sequence))
    return {"marketing/segment-exports.csv": csv_text([COLUMNS, *rows])}
