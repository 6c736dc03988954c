"""The DPIA register in the back office: each assessment with its risks; lapsed ones marked."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.forms import DPIAForm
from assessments.models import DPIA, Risk
from audit.admin import AuditedModelAdmin
from declaration.selectors import get_declaration


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

    @admin.display(boolean=True, description=_("lapsed"))
    def lapsed(self, obj: DPIA) -> bool:
        return obj.is_lapsed(timezone.localdate())

    @admin.display(description=_("named in the declaration by"))
    def named_by(self, obj: DPIA) -> str:
        return ", ".join(get_declaration().dpia_references().get(obj.reference, [])) or "-"
