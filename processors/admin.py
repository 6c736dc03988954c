from django.contrib import admin

from processors.models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Which webhook deliveries were applied: a log that holds no personal data."""

    list_display = ["provider", "delivery_id", "outcome", "received_at"]
    list_filter = ["provider", "outcome"]
    search_fields = ["delivery_id"]
    date_hierarchy = "received_at"
    readonly_fields = ["provider", "delivery_id", "outcome", "received_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
