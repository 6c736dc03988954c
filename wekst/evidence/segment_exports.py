"""The evidence pack's log of audience segment exports for Wekst's own marketing (policy §10;
TP-07): which segment went to which platform, with how many people, when; read from the audit
log, where marketing.services.export_segment records each export. No member and no staff name."""

import re

from audit.models import AuditEntry
from wekst.evidence.common import iso
from wekst.spreadsheets import csv_text

# marketing.services.export_segment's reason: "12 people to google_ads (hashed)".
REASON = re.compile(r"^(?P<count>\d+) people to (?P<platform>\S+) \((?P<form>\w+)\)$")
COLUMNS = ("Exported at", "Segment", "Platform", "People", "Form", "Audit entry")


def segment_export_files() -> dict[str, str]:
    entries = AuditEntry.objects.filter(object_type="marketing.Segment", action="export")
    rows = []
    for entry in entries.order_by("sequence"):
        found = REASON.match(entry.reason)
        # An entry in another form is still listed, with its reason, rather than dropped.
        count, platform, form = (
            (found["count"], found["platform"], found["form"]) if found else ("", "", entry.reason)
        )
        rows.append((iso(entry.at), entry.object_id, platform, count, form, entry.sequence))
    return {"marketing/segment-exports.csv": csv_text([COLUMNS, *rows])}
