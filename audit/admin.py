from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, even for superusers."""

    list_display = ["sequence", "at", "actor", "action", "object_type", "object_id", "subject_ref"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor", "object_id", "subject_ref"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
