"""Back office of the clinics (Wekst as processor): clinics with their agreements, engagements and
contacts, and the accounting records about them."""

import datetime

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedModelAdmin, ReadOnlyAdminMixin
from clinics import admin_duties, selectors, services
from clinics.models import (
    ARTICLE_28_TERMS,
    Clinic,
    ClinicAgreement,
    ClinicContact,
    Engagement,
    Offboarding,
    PrimaryAccountingRecord,
    SecondaryAccountingRecord,
    SubProcessorChange,
    UnlawfulInstruction,
)
from clinics.sub_processors import sub_processors_in_use
from declaration.selectors import get_declaration

__all__ = ["admin_duties"]  # the duties' pages (CL-03, CL-07, CL-08) register with this module


class EngagementInline(admin.TabularInline):
    model = Engagement
    extra = 0


class ClinicAgreementInline(admin.StackedInline):
    """The agreement with the Art. 28(3)(a)-(h) terms as a checklist: each term's clause in the
    signed document; a term without one makes the agreement not current (CL-01, PT-03)."""

    model = ClinicAgreement
    extra = 0
    filter_horizontal = ["sub_processors"]
    readonly_fields = ["article_28_checklist"]
    fieldsets = [
        (None, {"fields": ["signed_on", "ends_on", "document"]}),
        (
            _("Art. 28(3)(a)-(h), term by term"),
            {
                "fields": [
                    "article_28_checklist",
                    *[f"clause_{letter}" for letter, _l in ARTICLE_28_TERMS],
                ]
            },
        ),
        (
            _("Documented instructions"),
            {
                "fields": [
                    "platforms",
                    "data_categories",
                    "purposes",
                    "legal_basis",
                    "retention_months",
                    "sub_processor_authorisation",
                    "sub_processors",
                ]
            },
        ),  # fmt: skip
    ]

    @admin.display(description=_("Checklist"))
    def article_28_checklist(self, agreement: ClinicAgreement) -> str:
        rows = [
            (("✔" if clause else "✘"), label, clause or _("missing"))
            for letter, label in ARTICLE_28_TERMS
            for clause in [getattr(agreement, f"clause_{letter}", "") if agreement.pk else ""]
        ]
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} {}: {}</li>", rows))


class SubProcessorChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SubProcessorChange
    extra = 0
    fields = ["recipient", "replaces", "notified_at", "object_by", "objected_on", "authorised_on"]
    readonly_fields = fields
    show_change_link = True


class UnlawfulInstructionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """CL-07: shown on the clinic's page; recorded and answered on its own page."""

    model = UnlawfulInstruction
    extra = 0
    fields = ["received_on", "instruction", "notice_text", "notified_on", "notified_how", "outcome"]
    readonly_fields = fields
    show_change_link = True


class OffboardingInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Offboarding
    extra = 0
    fields = ["choice", "chosen_on", "instructed_by", "deleted_at", "certificate_issued_at"]
    readonly_fields = fields
    show_change_link = True


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
    readonly_fields = ["work_state", "sub_processors_today", "created_at"]
    fields = [
        "work_state",
        "sub_processors_today",
        "name",
        "slug",
        "org_number",
        "address",
        "email",
        "representative",
        "staff",
        "created_at",
    ]
    # Who sees the clinic's leads and meetings (CL-02; clinics.selectors.clinics_visible_to).
    filter_horizontal = ["staff"]
    inlines = [
        ClinicAgreementInline,
        EngagementInline,
        ClinicContactInline,
        SubProcessorChangeInline,
        UnlawfulInstructionInline,
        OffboardingInline,
    ]

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
        url = reverse("clinics:clinic_contact", kwargs={"slug": clinic.slug})
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description=_("Sub-processors in use today"))
    def sub_processors_today(self, clinic: Clinic) -> str:
        if clinic.pk is None:
            return "-"
        names = [recipient.name for recipient in sub_processors_in_use(clinic)]
        return ", ".join(names) or _("none")

    @admin.display(description="Status")
    def work_state(self, clinic: Clinic) -> str:
        if clinic.pk is None:
            return "-"
        if selectors.accepts_work(clinic):
            return "A current agreement and a running engagement: its enquiry form is open."
        return (
            "No work is done for this clinic and its enquiry form is unavailable: it needs an "
            "agreement in force (signed, on file, with the clause of every Art. 28(3) term) and a running "
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
