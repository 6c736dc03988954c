"""Back office for notices to processors: erasures, rectifications and restrictions passed on,
with their attempts and errors, tried again or marked done by hand (GDPR Art. 19; RG-12, RT-09)."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from audit.admin import AuditedModelAdmin, ReadOnlyAdminMixin
from audit.services import actor_of
from declaration.selectors import recipient_name
from rights.models import ProcessorNotice
from rights.services import processor_notices
from wekst.admin_names import named_values

# The identifiers a notice holds (rights.processor_targets), as staff read them.
IDENTIFIER_NAMES = {
    "emails": "email addresses",
    "phones": "phone numbers",
    "client_ids": "analytics client ids",
    "booking_ids": "booking ids",
}
# The fields shown by a display method rather than as stored (a key, JSON).
SHOWN_AS = {
    "processor": "processor_name",
    "identifiers": "identifiers_shown",
    "changes": "changes_shown",
}


@admin.register(ProcessorNotice)
class ProcessorNoticeAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """Erasures, rectifications and restrictions passed on to processors: retried until done,
    visible until done (RG-12)."""

    list_display = [
        "processor_name",
        "kind",
        "came_from",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
        "created_at",
        "completed_at",
        "completed_by",
    ]
    list_filter = ["status", "kind", "cause", ("processor", named_values(recipient_name))]
    list_select_related = ["request", "sweep_run"]
    exclude = list(SHOWN_AS)  # a page seen without the right to change shows the form's fields
    readonly_fields = [
        "came_from",
        *(SHOWN_AS.get(f.name, f.name) for f in ProcessorNotice._meta.fields),
    ]

    @admin.display(description="processor", ordering="processor")
    def processor_name(self, obj: ProcessorNotice) -> str:
        """The recipient, as the policy names it (Brevo, IT support)."""
        return recipient_name(obj.processor)

    @admin.display(description="what the processor knows the person by")
    def identifiers_shown(self, obj: ProcessorNotice) -> str:
        """Each kind of identifier with its values; cleared once the notice is done."""
        rows = [
            (IDENTIFIER_NAMES.get(kind, kind), ", ".join(values))
            for kind, values in (obj.identifiers or {}).items()
            if values
        ]
        return format_html_join("", "{}: {}<br>", rows) if rows else "-"

    @admin.display(description="changes")
    def changes_shown(self, obj: ProcessorNotice) -> str:
        """Rectification: each corrected field with its new value."""
        rows = [(field.replace("_", " "), value) for field, value in (obj.changes or {}).items()]
        return format_html_join("", "{}: {}<br>", rows) if rows else "-"

    actions = ["retry_now", "mark_done_by_hand"]

    @admin.display(description="came from")
    def came_from(self, obj: ProcessorNotice) -> str:
        """The privacy request or the retention sweep run the notice passes on (RT-09)."""
        if obj.request_id is not None:
            url = reverse("admin:rights_request_change", args=[obj.request_id])
            return format_html('<a href="{}">request {}</a>', url, str(obj.request.public_id)[:8])
        if obj.sweep_run_id is not None:
            url = reverse("admin:retention_sweeprun_change", args=[obj.sweep_run_id])
            return format_html('<a href="{}">retention sweep {}</a>', url, obj.sweep_run_id)
        return obj.get_cause_display()

    @admin.display(description="last error")
    def short_error(self, obj: ProcessorNotice) -> str:
        return (obj.last_error[:120] + "…") if len(obj.last_error) > 120 else obj.last_error

    @admin.action(description="Try again now")
    def retry_now(self, request, queryset):
        queued = [
            job
            for job in queryset
            if processor_notices.retry_processor_notice(job_id=job.pk, actor=actor_of(request.user))
        ]
        self._report(request, queryset, queued, "queued again")

    @admin.action(description="Mark as done by hand at the processor")
    def mark_done_by_hand(self, request, queryset):
        marked = [
            job
            for job in queryset
            if processor_notices.mark_processor_notice_done(
                job_id=job.pk, actor=actor_of(request.user)
            )
        ]
        self._report(request, queryset, marked, "marked as done")

    def _report(self, request, queryset, acted: list[ProcessorNotice], done: str) -> None:
        """How many notices the action changed, and which it left as they were, and why; only
        the changed ones are audited as changed."""
        self.acted_on(request, [job.pk for job in acted])
        if acted:
            self.message_user(request, f"{len(acted)} notice(s) {done}.", messages.SUCCESS)
        acted_ids = {job.pk for job in acted}
        skipped = [job for job in queryset if job.pk not in acted_ids]
        if skipped:
            names = ", ".join(
                f"{recipient_name(job.processor)} ({job.get_kind_display()})" for job in skipped
            )
            self.message_user(
                request,
                f"{len(skipped)} notice(s) left as they were, being done already or gone: {names}.",
                messages.WARNING,
            )
