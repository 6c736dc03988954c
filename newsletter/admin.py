"""The newsletter in the back office: subscribers with their consent proof, issues, deliveries,
and the number of suppression entries (never an address)."""

from django.contrib import admin, messages
from django.db.models import Count

from audit.admin import AuditedModelAdmin, ReadOnlyAdminMixin
from newsletter import services
from newsletter.models import Delivery, Issue, Subscription, Suppression
from newsletter.selectors import is_role_address
from wekst.admin_guards import GuardedModelAdmin


class ReadOnlyAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """Records made by the system: staff read them, and change them only through actions."""


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = [
        "email",
        "name",
        "status",
        "source",
        "signed_up_at",
        "confirmed_at",
        "policy_version",
        "language",
        "role_address",
    ]
    list_filter = ["status", "source", "language", "policy_version"]
    search_fields = ["subject__email", "name"]
    list_select_related = ["subject"]
    date_hierarchy = "signed_up_at"
    fields = [
        "email",
        "name",
        "status",
        "source",
        "signed_up_at",
        "confirmed_at",
        "policy_version",
        "language",
        "consent_wording",
        "confirmation_expires_at",
    ]
    readonly_fields = fields
    actions = ["unsubscribe_selected"]

    @admin.display(ordering="subject__email")
    def email(self, obj: Subscription) -> str:
        return obj.subject.email

    @admin.display(boolean=True, description="Role address")
    def role_address(self, obj: Subscription) -> bool:
        return is_role_address(obj.subject.email or "")

    @admin.action(
        description="Unsubscribe (the subscriber objected to marketing)", permissions=["end"]
    )
    def unsubscribe_selected(self, request, queryset):
        emails = list(queryset.values_list("subject__email", flat=True))
        for email in emails:
            services.record_objection_to_marketing(email=email)
        self.message_user(
            request,
            f"{len(emails)} subscription(s) ended; their addresses are suppressed.",
            messages.SUCCESS,
        )

    def has_end_permission(self, request) -> bool:
        # Ending subscriptions changes data: only for staff who may change subscriptions.
        return request.user.has_perm("newsletter.change_subscription")


@admin.register(Issue)
class IssueAdmin(GuardedModelAdmin):
    list_display = ["subject_line", "status", "created_at", "send_started_at", "sent_at", "queued"]
    list_filter = ["status"]
    search_fields = ["subject_line", "body_text"]
    readonly_fields = ["status", "created_at", "send_started_at", "sent_at"]
    actions = ["send_to_confirmed_subscribers"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(queued_count=Count("deliveries"))

    @admin.display(description="Deliveries", ordering="queued_count")
    def queued(self, obj: Issue) -> int:
        return obj.queued_count

    def get_readonly_fields(self, request, obj=None):
        # Once sending has started, the text is what subscribers received.
        if obj is not None and obj.status != Issue.Status.DRAFT:
            return [*self.readonly_fields, "subject_line", "body_text"]
        return self.readonly_fields

    @admin.action(description="Send to confirmed subscribers", permissions=["change"])
    def send_to_confirmed_subscribers(self, request, queryset):
        started = [issue for issue in queryset if services.start_sending_issue(issue_id=issue.pk)]
        skipped = queryset.count() - len(started)
        self.message_user(
            request,
            f"{len(started)} issue(s) are being sent in the background to confirmed subscribers.",
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request, f"{skipped} issue(s) were already sent and were skipped.", messages.WARNING
            )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["issue", "recipient", "status", "email_status", "created_at"]
    list_filter = ["status", "issue"]
    search_fields = ["subscription__subject__email", "issue__subject_line"]
    list_select_related = ["issue", "subscription__subject", "email"]

    @admin.display(description="Recipient", ordering="subscription__subject__email")
    def recipient(self, obj: Delivery) -> str:
        if obj.subscription is None:
            return "(unsubscribed)"
        return obj.subscription.subject.email

    @admin.display(description="Email")
    def email_status(self, obj: Delivery) -> str:
        return obj.email.get_status_display() if obj.email else "-"


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    """Entries are counted and filtered by reason; the digest is never shown."""

    list_display = ["__str__", "reason", "provider", "provider_event_at", "created_at"]
    list_filter = ["reason", "provider", "created_at"]
    # The provider's evidence, when the email provider reported it (newsletter/provider_events.py).
    fields = ["reason", "created_at", "provider", "provider_event", "provider_event_at"]
    readonly_fields = fields
