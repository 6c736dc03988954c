"""The DPIA register in the back office: each assessment with its risks; lapsed ones marked."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.forms import DPIAForm
from assessments.models import DPIA, Risk
from audit.admin import AuditedModelAdmin
from declaration.selectors import get_declaration, processing_name


class RiskInline(admin.TabularInline):
    model = Risk
    extra = 1


class LapsedFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("lapsed", _("Past its review date")), ("current", _("Reviewed in time"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "lapsed":
            return queryset.filter(review_on__lt=today)
        if self.value() == "current":
            return queryset.filter(review_on__gte=today)
        return queryset


@admin.register(DPIA)
class DPIAAdmin(AuditedModelAdmin):
    form = DPIAForm
    inlines = [RiskInline]
    list_display = [
        "reference",
        "title",
        "decision",
        "residual_risk",
        "review_on",
        "lapsed",
        "named_by",
    ]
    list_filter = [LapsedFilter, "decision"]
    search_fields = ["reference", "title"]
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["reference", "title", "scope", "processing_covered", "necessity"]}),
        (_("Measures and residual risk"), {"fields": ["measures", "residual_risk"]}),
        (_("Decision"), {"fields": ["decision", "decided_by", "decided_on", "review_on"]}),
        (None, {"fields": ["created_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read only, the admin shows a field as stored (display_for_field: the keys as JSON),
        # not through the form that names them; covered_entries names them by their names.
        named = {"processing_covered": "covered_entries"}
        return [
            (name, {**options, "fields": [named.get(f, f) for f in options["fields"]]})
            for name, options in fieldsets
        ]

    @admin.display(description=DPIA._meta.get_field("processing_covered").verbose_name)
    def covered_entries(self, obj: DPIA) -> str:
        """One entry a line (the admin breaks the lines), as the declaration names it."""
        names = [processing_name(entry) for entry in obj.processing_covered]
        return "\n".join(names) or self.get_empty_value_display()

    @admin.display(boolean=True, description=_("lapsed"))
    def lapsed(self, obj: DPIA) -> bool:
        return obj.is_lapsed(timezone.localdate())

    @admin.display(description=_("named in the declaration by"))
    def named_by(self, obj: DPIA) -> str:
        """The processing whose entry in the declaration names this DPIA, by its name."""
        entries = get_declaration().dpia_references().get(obj.reference, [])
        return ", ".join(processing_name(entry) for entry in entries) or "-"
