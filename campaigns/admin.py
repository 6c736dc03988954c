"""Campaigns for clinics in the back office: staff see the campaigns of the clinics they may see
(CL-02), pick the platform from the recipient register, and start one only through
start_campaign (CL-01, CL-03, CL-06)."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.admin import AuditedModelAdmin
from audit.services import actor_of
from campaigns.models import Campaign
from campaigns.services import CampaignRefused, start_campaign, stop_campaign
from clinics.selectors import clinics_visible_to
from processors.models import Recipient


@admin.register(Campaign)
class CampaignAdmin(AuditedModelAdmin):
    list_display = ["name", "clinic", "platform", "health_related_audience", "status", "dpia"]
    list_filter = ["status", "health_related_audience", "audience_source"]
    search_fields = ["name"]
    readonly_fields = ["status", "started_at", "started_by", "created_at"]
    fieldsets = [
        (None, {"fields": ["clinic", "name", "platform"]}),
        (
            gettext_lazy("Audience"),
            {"fields": ["audience_source", "audience_description", "health_related_audience"]},
        ),
        (
            gettext_lazy("Special categories (CL-06)"),
            {"fields": ["dpia", "art9_basis", "art9_basis_documentation"]},
        ),
        (None, {"fields": ["status", "started_at", "started_by", "created_at"]}),
    ]
    actions = ["start_selected", "stop_selected"]
    # Once running, the audience and what vouches for it are fixed: a change is a new campaign.
    FIXED_WHILE_RUNNING = [
        "clinic",
        "platform",
        "audience_source",
        "audience_description",
        "health_related_audience",
        "dpia",
        "art9_basis",
        "art9_basis_documentation",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status == Campaign.Status.RUNNING:
            fields += self.FIXED_WHILE_RUNNING
        return fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(clinic__in=clinics_visible_to(request.user))
            .select_related("clinic", "dpia", "platform")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "clinic":
            kwargs["queryset"] = clinics_visible_to(request.user)
        elif db_field.name == "platform":
            # Only recipients still in the declaration; start_campaign checks the clinic's
            # authorisation on the day (CL-03).
            kwargs["queryset"] = Recipient.objects.filter(declared=True).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(permissions=["change"], description=gettext_lazy("Start the selected campaigns"))
    def start_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            start_campaign,
            done=_("%(campaign)s started."),
            refused=_("%(campaign)s was not started: %(reasons)s"),
        )

    @admin.action(permissions=["change"], description=gettext_lazy("Stop the selected campaigns"))
    def stop_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            stop_campaign,
            done=_("%(campaign)s stopped."),
            refused=_("%(campaign)s was not stopped: %(reasons)s"),
        )

    def _each(self, request, queryset, service, *, done: str, refused: str) -> None:
        """Apply the service to each selected campaign; say for each what came of it."""
        for campaign in queryset:
            try:
                service(campaign_id=campaign.pk, actor=actor_of(request.user))
            except CampaignRefused as refusal:
                reasons = " ".join(refusal.messages)
                self.message_user(
                    request, refused % {"campaign": campaign, "reasons": reasons}, messages.ERROR
                )
            else:
                self.message_user(request, done % {"campaign": campaign})
