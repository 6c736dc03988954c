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
    # "Subject" would read as the subject line: the data subject is shown as "Person".
    readonly_fields = [
        "person" if f.name == "subject" else f.name for f in OutgoingEmail._meta.fields
    ]
    fields = readonly_fields
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Person (data subject)")
    def person(self, email: OutgoingEmail):
        return email.subject or "-"

    @admin.action(description="Try to send the selected emails again now")
    def retry_now(self, request, queryset):
        pending = queryset.exclude(status=OutgoingEmail.Status.SENT)
        for email in pending:
            deliver_email.enqueue(email.pk)
        self.message_user(
            request, f"{pending.count()} email(s) queued for delivery.", messages.SUCCESS
        )
