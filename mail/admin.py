from django.contrib import admin, messages

from audit.admin import AuditedModelAdmin
from mail.models import OutgoingEmail
from mail.tasks import deliver_email


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(AuditedModelAdmin):
    list_display = [
        "subject_line",
        "to_address",
        "purpose",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "purpose"]
    search_fields = ["to_address", "subject_line"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Try to send the selected emails again now")
    def retry_now(self, request, queryset):
        pending = queryset.exclude(status=OutgoingEmail.Status.SENT)
        for email in pending:
            deliver_email.enqueue(email.pk)
        self.message_user(
            request, f"{pending.count()} email(s) queued for delivery.", messages.SUCCESS
        )
