"""The exports made before the log of segment exports, read once from their audit entries, so
that the segments page keeps their history. The entries themselves are left as they are (a hash
chain). An entry in another form gets no row: the page shows it by its reason."""

import re

from django.db import migrations

# How marketing.services.export_segment worded the reason until then: "12 people to google_ads
# (hashed)". Frozen here; the service's wording may change, this migration reads the past.
REASON = re.compile(
    r"^(?P<people>\d+) people to (?P<platform>\S{1,64}) \((?P<form>hashed|addresses)\)$"
)


def rows_from_the_audit_log(apps, schema_editor):
    entry_model = apps.get_model("audit", "AuditEntry")
    export_model = apps.get_model("marketing", "SegmentExport")
    # Entries with a row already (a migration run again after going back to 0001 and forward)
    # are skipped, so it never writes one twice.
    entries = entry_model.objects.filter(
        object_type="marketing.Segment", action="export", segment_export__isnull=True
    ).order_by("sequence")
    rows = [
        export_model(
            audit_entry=entry,
            at=entry.at,
            actor=entry.actor,
            segment=entry.object_id,
            platform=found["platform"],
            people=int(found["people"]),
            hashed=found["form"] == "hashed",
        )
        for entry in entries
        if (found := REASON.match(entry.reason)) and entry.object_id
    ]
    export_model.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("marketing", "0001_segment_export_log"),
    ]

    # Backwards, the rows go with the table when 0001 is reversed; the audit entries never change.
    operations = [migrations.RunPython(rows_from_the_audit_log, migrations.RunPython.noop)]
