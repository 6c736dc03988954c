"""Back office of the processors area: the register of recipients with their contracts, the
clinics with their agreements and engagements, accounting records, webhook deliveries."""

import datetime

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from audit.admin import AuditedModelAdmin
from declaration.selectors import get_declaration
from processors import selectors, services
from processors.models import (
    Clinic,
    ClinicAgreement,
    ClinicContact,
    DataFlow,
    Engagement,
    PrimaryAccountingRecord,
    Recipient,
    SecondaryAccountingRecord,
    WebhookDelivery,
)


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
    fields = ["activity_name", "role", "data_categories"]
    readonly_fields = fields
    verbose_name_plural = "data flows (from the declaration)"

    def has_add_permission(self, request, obj=None):
        return False


FROM_DECLARATION = [
    "key",
    "name",
    "legal_entity",
    "role",
    "service",
    "data_categories",
    "countries",
    "declared_safeguard",
    "declared",
    "synced_at",
]


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    """The register (PRO-01): what the declaration says, and what is on record. The page says why
    data may not flow to a recipient yet (PRO-02)."""

    list_display = ["name", "role", "country_list", "dpa_signed_on", "safeguard", "state"]
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

    @admin.display(description="Data may flow", boolean=True)
    def state(self, entry: Recipient) -> bool:
        return not self._blockers(entry)

    @admin.display(description="Status")
    def why(self, entry: Recipient) -> str:
        problems = self._blockers(entry)
        integration = entry.key in selectors.INTEGRATIONS
        if not problems:
            text = "Complete: data may flow to this recipient."
            if integration:
                state = "on" if selectors.integration_switched_on(entry.key) else "off"
                text += f" Its integration is switched {state} in the settings."
            return text
        lead = (
            f"The {entry.key} integration stays off until this is resolved:"
            if integration
            else "Data may not flow to this recipient until this is resolved:"
        )
        return format_html(
            "{}<ul>{}</ul>", lead, format_html_join("", "<li>{}</li>", ((p,) for p in problems))
        )


# Clinics --------------------------------------------------------------------------------------


class EngagementInline(admin.TabularInline):
    model = Engagement
    extra = 0


class ClinicAgreementInline(admin.StackedInline):
    model = ClinicAgreement
    extra = 0
    filter_horizontal = ["sub_processors"]


class ClinicContactInline(admin.TabularInline):
    model = ClinicContact
    extra = 0
    fields = ["name", "email", "phone", "role", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        # Added on the contact's own page, which links the person to the subject index.
        return False


@admin.register(Clinic)
class ClinicAdmin(AuditedModelAdmin):
    """A client (PRO-03): its agreement with Wekst as processor, engagements and contacts."""

    list_display = ["name", "org_number", "accepts_work", "form_link"]
    search_fields = ["name", "org_number"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["work_state", "created_at"]
    fields = [
        "work_state",
        "name",
        "slug",
        "org_number",
        "address",
        "email",
        "representative",
        "staff",
        "created_at",
    ]
    # Who sees the clinic's leads and meetings (CL-02; processors.selectors.clinics_visible_to).
    filter_horizontal = ["staff"]
    inlines = [ClinicAgreementInline, EngagementInline, ClinicContactInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "staff":
            # Only staff accounts can be assigned: others cannot sign in to the back office.
            kwargs["queryset"] = selectors.staff_who_can_be_assigned()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="Work may be done", boolean=True)
    def accepts_work(self, clinic: Clinic) -> bool:
        return selectors.accepts_work(clinic)

    @admin.display(description="Enquiry form")
    def form_link(self, clinic: Clinic) -> str:
        url = reverse("processors_public:clinic_contact", kwargs={"slug": clinic.slug})
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description="Status")
    def work_state(self, clinic: Clinic) -> str:
        if clinic.pk is None:
            return "-"
        if selectors.accepts_work(clinic):
            return "A current agreement and a running engagement: its enquiry form is open."
        return (
            "No work is done for this clinic and its enquiry form is unavailable: it needs an "
            "agreement in force (signed, on file, covering every Art. 28(3) term) and a running "
            "engagement."
        )


@admin.register(ClinicContact)
class ClinicContactAdmin(AuditedModelAdmin):
    """A person at a client clinic, linked to the subject index when saved."""

    list_display = ["name", "clinic", "email", "role"]
    list_filter = ["clinic"]
    search_fields = ["name", "email"]
    fields = ["clinic", "name", "email", "phone", "role", "subject", "created_at"]
    readonly_fields = ["subject", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # The address is how the person is found in the subject index; a new address is a new
        # contact.
        return [*self.readonly_fields, "clinic", "email"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        contact = services.add_clinic_contact(
            clinic=obj.clinic,
            name=obj.name,
            email=obj.email,
            phone=obj.phone,
            role=obj.role,
        )
        obj.pk, obj.subject = contact.pk, contact.subject
        self.audit(request, "create", contact, "saved in the back office")


class AccountingRecordAdmin(AuditedModelAdmin):
    """Accounting material: erased by the retention sweep at the end of its period (RT-03)."""

    list_display = ["reference", "clinic", "document_date", "accounting_year_end", "erased_from"]
    list_filter = ["clinic"]
    search_fields = ["reference", "description"]
    raw_id_fields = ["subject"]
    date_hierarchy = "document_date"
    rule = ""

    def get_changeform_initial_data(self, request):
        today = timezone.localdate()
        return {"document_date": today, "accounting_year_end": datetime.date(today.year, 12, 31)}

    @admin.display(description="Erased from")
    def erased_from(self, record) -> datetime.date | None:
        rule = get_declaration().retention_rules[self.rule]
        start = timezone.make_aware(
            datetime.datetime.combine(
                record.accounting_year_end + datetime.timedelta(days=1), datetime.time()
            )
        )
        return timezone.localdate(rule.expires_after(start))


@admin.register(PrimaryAccountingRecord)
class PrimaryAccountingRecordAdmin(AccountingRecordAdmin):
    rule = "accounting_primary"


@admin.register(SecondaryAccountingRecord)
class SecondaryAccountingRecordAdmin(AccountingRecordAdmin):
    rule = "accounting_secondary"


# The disclosure log has a module of its own; importing it registers its admin.
from processors import admin_disclosures  # noqa: E402, F401
