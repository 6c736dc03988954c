"""Backups and restore drills in the back office: evidence, read-only (SB-02)."""

from django.contrib import admin

from audit.admin import ReadOnlyAdminMixin
from backups.models import BackupRecord
from wekst.admin_guards import GuardedModelAdmin


@admin.register(BackupRecord)
class BackupRecordAdmin(ReadOnlyAdminMixin, GuardedModelAdmin):
    list_display = [
        "started_at",
        "kind",
        "outcome",
        "file_name",
        "size_bytes",
        "erasures_reapplied",
        "backups_deleted",
    ]
    list_filter = ["kind", "outcome"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in BackupRecord._meta.fields]
