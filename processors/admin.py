"""Back office of the processors area: the register of recipients with their contracts, webhook
deliveries. The clinics' pages are in clinics.admin."""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from audit.admin import AuditedModelAdmin
from declaration.policy import country_names
from declaration.selectors import data_category_name, get_declaration
from processors import selectors
from processors.models import DataFlow, Recipient, WebhookDelivery
from wekst.admin_guards import GuardedModelAdmin


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AuditedModelAdmin):
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


# The register ---------------------------------------------------------------------------------


class DataFlowInline(admin.TabularInline):
    model = DataFlow
    extra = 0
    can_delete = False
    fields = ["activity_name", "role", "data_category_names"]
    readonly_fields = fields
    verbose_name_plural = "data flows (from the declaration)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="data categories")
    def data_category_names(self, flow: DataFlow) -> str:
        return data_category_names(flow.data_categories)


def data_category_names(keys) -> str:
    """The categories of personal data, as the policy names them."""
    return ", ".join(data_category_name(key) for key in keys) or "-"


FROM_DECLARATION = [
    "key",
    "name",
    "legal_entity",
    "role",
    "service",
    "data_category_names",
    "country_names",
    "declared_safeguard",
    "declared",
    "synced_at",
]


@admin.register(Recipient)
class RecipientAdmin(GuardedModelAdmin):
    """The register (PRO-01): what the declaration says, and what is on record. The page says why
    data may not flow to a recipient yet (PRO-02)."""

    # "Data may flow" next to the name: the answer staff look for, visible at 1280 px (issue 21).
    list_display = ["name", "state", "role", "country_list", "dpa_signed_on", "safeguard"]
    list_filter = ["role", "declared", "safeguard"]
    search_fields = ["name", "legal_entity", "key"]
    readonly_fields = [*FROM_DECLARATION, "why", "updated_at"]
    fieldsets = [
        ("Can data flow to it?", {"fields": ["why"]}),
        ("From the declaration (edit declaration.yaml)", {"fields": FROM_DECLARATION}),
        ("Agreement on record", {"fields": ["dpa_signed_on", "dpa_version", "dpa_document"]}),
        (
            "Transfers outside the EEA",
            {
                "fields": [
                    "remote_access_countries",
                    "safeguard",
                    "safeguard_document",
                    "safeguard_checked_on",
                ]
            },
        ),
        (None, {"fields": ["notes", "updated_at"]}),
    ]
    inlines = [DataFlowInline]

    def has_add_permission(self, request):
        # Entries come from the declaration (manage.py sync_processor_register).
        return False

    def has_delete_permission(self, request, obj=None):
        # The contracts on record are evidence (GDPR Art. 5(2), 28(9)); they are never deleted.
        return False

    def changelist_view(self, request, extra_context=None):
        registered = set(Recipient.objects.filter(declared=True).values_list("key", flat=True))
        missing = [key for key in get_declaration().recipients if key not in registered]
        if missing:
            self.message_user(
                request,
                f"Not in the register yet: {', '.join(missing)}. Run manage.py "
                "sync_processor_register.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, object_id)
        if entry is not None and request.method == "GET":
            for problem in self._blockers(entry):
                self.message_user(request, problem, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _blockers(entry: Recipient) -> list[str]:
        return selectors.register_blockers(entry, get_declaration().recipients.get(entry.key))

    @admin.display(description="Countries")
    def country_list(self, entry: Recipient) -> str:
        return ", ".join(dict.fromkeys([*entry.countries, *entry.remote_access]))

    @admin.display(description="Data categories")
    def data_category_names(self, entry: Recipient) -> str:
        return data_category_names(entry.data_categories)

    @admin.display(description="Countries")
    def country_names(self, entry: Recipient) -> str:
        """Where the data is processed, by the countries' names."""
        return ", ".join(country_names(entry.countries)) or "-"

    @admin.display(description="Data may flow", boolean=True)
    def state(self, entry: Recipient) -> bool:
        return not self._blockers(entry)

    @admin.display(description="Status")
    def why(self, entry: Recipient) -> str:
        problems = self._blockers(entry)
        integration = selectors.has_integration(entry.key)
        if not problems:
            text = "Complete: data may flow to this recipient."
            if integration:
                state = "on" if selectors.integration_switched_on(entry.key) else "off"
                text += f" Its integration is switched {state} in the settings."
            return text
        lead = (
            f"The {entry.name} integration stays off until this is resolved:"
            if integration
            else "Data may not flow to this recipient until this is resolved:"
        )
        return format_html(
            "{}<ul>{}</ul>", lead, format_html_join("", "<li>{}</li>", ((p,) for p in problems))
        )


# The disclosure log has a module of its own; importing it registers its admin.
from processors import admin_disclosures  # noqa: E402, F401
