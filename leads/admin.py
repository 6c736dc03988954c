"""Back office for leads and meetings: searchable, filterable, evidence read-only (issue 3, item 7)."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from audit.admin import AuditedModelAdmin
from declaration.citations import cite
from declaration.schema import LEGAL_BASES
from leads.models import Lead, Meeting
from processors.selectors import clinic_data_visible_to, clinics_visible_to
from subjects.selectors import records_of

# What a lead records about its own collection: evidence, never edited by hand (GDPR Art. 5(2)).
LEAD_EVIDENCE = [
    "public_id",
    "subject",
    "kind",
    "email",
    "message",
    "purpose",
    "legal_basis_article",
    "source",
    "policy_version",
    "language",
    "marketing_consent",
    "marketing_consent_wording",
    "newsletter_records",
    "created_at",
    "last_contact_at",
]


class MeetingInline(admin.TabularInline):
    model = Meeting
    fk_name = "lead"
    extra = 0
    can_delete = False
    fields = ["provider", "provider_booking_id", "status", "starts_at", "ends_at", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CollectedForFilter(admin.SimpleListFilter):
    """Wekst's own leads unless a clinic is chosen: data collected for a clinic is kept apart
    and never mixed into Wekst's own lists (PRO-03; checklist CL-02). Which clinics a person may
    choose, and see, is LeadAdmin.get_queryset's rule (processors.selectors.clinics_visible_to)."""

    title = "collected for"
    parameter_name = "collected_for"

    def lookups(self, request, model_admin):
        # Only the clinics the person may see are offered (CL-02).
        clinics = clinics_visible_to(request.user).filter(leads__isnull=False).distinct()
        return [("all", "Wekst and every clinic"), *[(str(c.pk), c.name) for c in clinics]]

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        choices[0]["display"] = "Wekst (own leads)"
        return choices

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset.filter(clinic__isnull=True)
        if self.value() == "all":
            return queryset
        return queryset.filter(clinic_id=self.value())


@admin.register(Lead)
class LeadAdmin(AuditedModelAdmin):
    list_display = [
        "__str__",
        "email",
        "company",
        "kind",
        "source",
        "purpose",
        "marketing_consent",
        "created_at",
        "last_contact_at",
    ]
    list_filter = [
        CollectedForFilter,
        "kind",
        "source",
        "purpose",
        "marketing_consent",
        "language",
        "policy_version",
    ]
    search_fields = ["name", "email", "company"]
    date_hierarchy = "created_at"
    readonly_fields = LEAD_EVIDENCE
    fieldsets = [
        (None, {"fields": ["public_id", "subject", "kind", "name", "email", "phone"]}),
        ("Company/clinic", {"fields": ["company", "role"]}),
        ("Message", {"fields": ["message"]}),
        (
            "Collection",
            {
                "fields": [
                    "purpose",
                    "legal_basis_article",
                    "source",
                    "policy_version",
                    "language",
                    "created_at",
                    "last_contact_at",
                ]
            },
        ),
        (
            "Marketing consent",
            {"fields": ["marketing_consent", "marketing_consent_wording", "newsletter_records"]},
        ),
    ]
    inlines = [MeetingInline]

    def get_queryset(self, request):
        # The list, search, change page, exports and lookups all start here: a clinic's leads are
        # seen only by staff assigned to it (CL-02); anyone else gets "does not exist".
        return super().get_queryset(request).filter(clinic_data_visible_to(request.user))

    def has_add_permission(self, request):
        # Leads come from the person (forms, bookings), never typed in by staff.
        return False

    @admin.display(description="Legal basis")
    def legal_basis_article(self, lead: Lead) -> str:
        letter = LEGAL_BASES.get(lead.legal_basis)
        return f"{lead.legal_basis} ({cite(6, 1, letter)})" if letter else lead.legal_basis

    @admin.display(description="Newsletter records (consent proof)")
    def newsletter_records(self, lead: Lead) -> str:
        """The person's newsletter records (the double opt-in proof), linked where possible."""
        rows = []
        for label, queryset in records_of(lead.subject).items():
            if not label.startswith("newsletter."):
                continue
            app_label, model = label.split(".")
            for record in queryset[:10]:
                text = f"{model}: {record}"
                try:
                    url = reverse(f"admin:{app_label}_{model.lower()}_change", args=[record.pk])
                except NoReverseMatch:
                    rows.append((format_html("{}", text),))
                else:
                    rows.append((format_html('<a href="{}">{}</a>', url, text),))
        if not rows:
            return "-"
        return format_html_join("\n", "{}<br>", rows)


@admin.register(Meeting)
class MeetingAdmin(AuditedModelAdmin):
    list_display = ["lead", "provider", "status", "starts_at", "ends_at", "updated_at"]
    list_filter = ["provider", "status", "lead__purpose"]
    search_fields = ["lead__name", "lead__email", "lead__company", "provider_booking_id"]
    list_select_related = ["lead"]
    date_hierarchy = "starts_at"
    # A meeting mirrors the booking provider; it changes through the provider, not here.
    readonly_fields = [
        "public_id",
        "lead",
        "subject",
        "provider",
        "provider_booking_id",
        "status",
        "starts_at",
        "ends_at",
        "last_event_at",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        # A meeting is its lead's: seen only where the lead is (CL-02).
        queryset = super().get_queryset(request)
        return queryset.filter(clinic_data_visible_to(request.user, clinic_path="lead__clinic"))

    def has_add_permission(self, request):
        return False
