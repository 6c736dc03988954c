"""The DPIA register in the back office: each assessment with its risks; lapsed ones marked."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.forms import DPIAForm, entry_name
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
        # not through the form that names them; covered_entries names them as the form does.
        named = {"processing_covered": "covered_entries"}
        return [
            (name, {**options, "fields": [named.get(f, f) for f in options["fields"]]})
            for name, options in fieldsets
        ]

    @admin.display(description=DPIA._meta.get_field("processing_covered").verbose_name)
    def covered_entries(self, obj: DPIA) -> str:
        """One entry a line (the admin breaks the lines), named as the form names it."""
        declared = get_declaration().processing_entries()
        names = [entry_name(entry, declared) for entry in obj.processing_covered]
        return "\n".join(names) or self.get_empty_value_display()

    @admin.display(boolean=True, description=_("lapsed"))
    def lapsed(self, obj: DPIA) -> bool:
        return obj.is_lapsed(timezone.localdate())

    def get_fieldsets(self, request, obj=None):
        # Without the right to change it, the page shows what an assessment covers by name; the
        # form's checkboxes (assessments.forms) are only there to tick.
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": [self._covered_by_name(f) for f in options["fields"]]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if self.has_change_permission(request, obj):
            return readonly
        return [*readonly, "covered"]

    @staticmethod
    def _covered_by_name(field: str) -> str:
        return "covered" if field == "processing_covered" else field

    @admin.display(description=_("processing covered"))
    def covered(self, obj: DPIA) -> str:
        """The declaration's entries the assessment covers, as the declaration names them."""
        return ", ".join(processing_name(entry) for entry in obj.processing_covered or []) or "-"

    @admin.display(description=_("named in the declaration by"))
    def named_by(self, obj: DPIA) -> str:
        """The processing whose entry in the declaration names this DPIA, by its name."""
        entries = get_declaration().dpia_references().get(obj.reference, [])
        return ", ".join(processing_name(entry) for entry in entries) or "-"
