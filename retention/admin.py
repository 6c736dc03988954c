"""Back office of retention: the evidence of every sweep, the dry-run preview, legal holds, and what
processors still hold beyond their rule."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from audit.admin import AuditedModelAdmin, ReadOnlyAdminMixin
from declaration.selectors import recipient_name
from retention import selectors, services
from retention.models import LegalHold, ProcessorCheck, StillHeld, SweepCount, SweepRun
from wekst.admin_guards import GuardedModelAdmin
from wekst.admin_names import named_values, records_name


def counts_shown(counts: dict[str, int], name_of=lambda key: key.replace("_", " ")) -> str:
    """{"legal_hold": 2, "open_request": 0} as "legal hold: 2"; "-" when nothing was counted."""
    return "; ".join(f"{name_of(key)}: {n}" for key, n in counts.items() if n) or "-"


class SweepCountInline(admin.TabularInline):
    model = SweepCount
    extra = 0
    can_delete = False
    fields = [
        "rule",
        "records",
        "action",
        "cutoff",
        "erased",
        "cascaded_shown",
        "kept_shown",
        "legal_holds_shown",
        "notices_shown",
        "batches",
        "longest_batch_seconds",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="records")
    def records(self, count: SweepCount) -> str:
        return records_name(count.model)

    @admin.display(description="erased with them")
    def cascaded_shown(self, count: SweepCount) -> str:
        return counts_shown(count.cascaded, records_name)

    @admin.display(description="due but kept")
    def kept_shown(self, count: SweepCount) -> str:
        return counts_shown(count.kept)

    @admin.display(description="legal holds that kept records")
    def legal_holds_shown(self, count: SweepCount) -> str:
        return ", ".join(str(ref)[:8] for ref in count.legal_holds) or "-"

    @admin.display(description="passed on to processors")
    def notices_shown(self, count: SweepCount) -> str:
        return counts_shown(count.notices, recipient_name)


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdminMixin, GuardedModelAdmin):
    """Deletion evidence (RET-02): read-only, holding no personal data."""

    list_display = ["started_at", "status", "trigger", "erased", "passed_on", "finished_at"]
    list_filter = ["status", "trigger"]
    date_hierarchy = "started_at"
    readonly_fields = [
        "started_at",
        "finished_at",
        "heartbeat_at",
        "status",
        "trigger",
        "batch_size",
    ]
    inlines = [SweepCountInline]
    change_list_template = "retention/sweeprun_change_list.html"

    @admin.display(description="Records erased or cleared")
    def erased(self, run: SweepRun) -> int:
        return sum(run.counts.values_list("erased", flat=True))

    @admin.display(description="Erasures passed on to processors")
    def passed_on(self, run: SweepRun) -> int:
        return sum(
            sum(notices.values()) for notices in run.counts.values_list("notices", flat=True)
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("preview/", preview, name="retention_sweeprun_preview"), *super().get_urls()]

    def preview_view(self, request):
        """The dry run for staff: what the sweep would erase now and why; changes nothing."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        parts = selectors.preview(examples=10)
        rows = []
        for part in parts:
            links = []
            if part.is_sweep:
                model = part.entry.model_class()._meta
                for pk in part.examples:
                    try:
                        url = reverse(
                            f"admin:{model.app_label}_{model.model_name}_change", args=[pk]
                        )
                    except Exception:  # noqa: BLE001 - a model without a back-office page
                        url = ""
                    links.append((pk, url))
            rows.append({"part": part, "links": links})
        context = {
            **self.admin_site.each_context(request),
            "title": "Retention: what the next sweep would do",
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "retention/preview.html", context)


@admin.register(LegalHold)
class LegalHoldAdmin(AuditedModelAdmin):
    """Holds that stop the sweep for a subject. Placed and lifted here; never deleted."""

    list_display = ["__str__", "subject_link", "placed_at", "lifted_at"]
    list_filter = [("lifted_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["subject"]
    actions = ["lift"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["subject", "reason"]
        return [
            "public_id",
            "subject",
            "reason",
            "placed_by",
            "placed_at",
            "lifted_by",
            "lifted_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        hold = services.place_legal_hold(subject=obj.subject, reason=obj.reason, user=request.user)
        obj.pk = hold.pk

    @admin.action(description="Lift the selected legal holds")
    def lift(self, request, queryset):
        lifted = [
            hold.pk
            for hold in queryset.filter(lifted_at__isnull=True)
            # A colleague may have lifted it in between: then it is not this person's lifting.
            if services.lift_legal_hold(hold=hold, user=request.user).lifted_by == request.user
        ]
        self.acted_on(request, lifted)  # a hold lifted already is not logged as changed again
        if lifted:
            self.message_user(request, f"{len(lifted)} legal hold(s) lifted.", messages.SUCCESS)
        already = queryset.count() - len(lifted)
        if already:
            self.message_user(
                request, f"{already} legal hold(s) were already lifted.", messages.WARNING
            )

    @admin.display(description="Subject")
    def subject_link(self, hold: LegalHold) -> str:
        url = reverse("admin:subjects_subject_change", args=[hold.subject_id])
        return format_html('<a href="{}">{}</a>', url, hold.subject.public_id)


class StillHeldInline(admin.TabularInline):
    model = StillHeld
    extra = 0
    can_delete = False
    fields = ["reference", "notice_link", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Erasure notice")
    def notice_link(self, finding: StillHeld) -> str:
        if finding.notice_id is None:
            return "-"
        url = reverse("admin:rights_processornotice_change", args=[finding.notice_id])
        return format_html('<a href="{}">{}</a>', url, str(finding.notice.public_id)[:8])


@admin.register(ProcessorCheck)
class ProcessorCheckAdmin(ReadOnlyAdminMixin, GuardedModelAdmin):
    """What each processor still holds beyond its rule, by reference (RT-09): read-only."""

    list_display = ["checked_at", "processor_name", "asked", "checked", "still_held", "short_error"]
    list_filter = [("processor", named_values(recipient_name)), "asked"]
    date_hierarchy = "checked_at"
    exclude = ["processor"]  # shown by name (processor_name)
    readonly_fields = [
        "processor_name" if f.name == "processor" else f.name for f in ProcessorCheck._meta.fields
    ]

    @admin.display(description="processor", ordering="processor")
    def processor_name(self, check: ProcessorCheck) -> str:
        return recipient_name(check.processor)

    inlines = [StillHeldInline]

    @admin.display(description="error")
    def short_error(self, check: ProcessorCheck) -> str:
        return (check.error[:120] + "…") if len(check.error) > 120 else check.error
