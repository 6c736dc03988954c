"""The consent log in the back office: read-only, searchable by consent id, exportable as CSV."""

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.utils import timezone

from audit.admin import AuditedModelAdmin, ReadOnlyAdminMixin
from consent.export import csv_lines
from consent.models import BannerText, ConsentDecision
from wekst.admin_guards import GuardedModelAdmin


@admin.register(ConsentDecision)
class ConsentDecisionAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """Proof of consent is evidence: staff can look decisions up and export them, never edit them.

    Deletion is left to the retention rule `consent_log` (36 months), not to staff.
    """

    list_display = (
        "consent_id",
        "decided_at",
        "action",
        "analytics",
        "marketing",
        "embedded",
        "gpc",
        "method",
        "banner_version",
        "language",
    )
    readonly_fields = ("public_id", "banner_text_hash")
    list_filter = (
        "action",
        "method",
        "gpc",
        "analytics",
        "marketing",
        "embedded",
        "banner_version",
    )
    # Exact match only: a pasted consent id (from the visitor's cookie or receipt) finds its
    # decisions; a term that is not a UUID finds nothing instead of failing.
    search_fields = ("consent_id__exact",)
    search_help_text = "Paste a consent id (from the wekst_consent cookie) to see its decisions."
    date_hierarchy = "decided_at"
    actions = ("export_csv",)

    @admin.action(description="Export the selected decisions as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        filename = f"consent-log-{timezone.now():%Y%m%d-%H%M%S}.csv"
        response = StreamingHttpResponse(
            csv_lines(queryset.order_by("decided_at", "id").iterator()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(BannerText)
class BannerTextAdmin(ReadOnlyAdminMixin, GuardedModelAdmin):
    """The exact banner wording behind the hash a decision carries (CK-08). It names no one, so
    views are not audited; nobody edits it, since a decision's proof points at it."""

    list_display = ("sha256", "banner_version", "language", "recorded_at")
    list_filter = ("banner_version", "language")
    search_fields = ("sha256__exact",)
    search_help_text = "Paste a decision's banner text hash (SHA-256) to see the wording."
    readonly_fields = ("sha256", "language", "banner_version", "text", "recorded_at")
