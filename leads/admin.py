"""Back office for leads and meetings: searchable, filterable, evidence read-only (issue 3, item 7);
leads from other sources entered with their source, and their Art. 14 notices followed (TP-02)."""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join

from audit.admin import AuditedModelAdmin, StepPageMixin
from audit.services import actor_of
from declaration.citations import cite
from declaration.policy import LEGAL_BASIS_NAMES
from declaration.schema import LEGAL_BASES
from declaration.selectors import activity_name
from leads import clinic_scope, notices, other_sources
from leads.forms import NoticeExceptionForm, OtherSourceLeadForm
from leads.models import Lead, Meeting
from leads.selectors import source_name as name_of_source
from subjects.selectors import records_of
from wekst.admin_guards import is_id
from wekst.admin_names import language_name as name_of_language
from wekst.admin_names import named_values

# What a lead records about its own collection: evidence, never edited by hand (GDPR Art. 5(2)).
LEAD_EVIDENCE = [
    "public_id",
    "subject",
    "kind",
    "email",
    "message",
    "purpose_name",
    "legal_basis_article",
    "source_name",
    "source_kind",
    "source_description",
    "policy_version",
    "language_name",
    "marketing_consent",
    "marketing_consent_wording",
    "newsletter_records",
    "created_at",
    "last_contact_at",
    "art14_notice",
    "notice_exception",
    "notice_exception_reason",
    "notice_exception_at",
    "notice_exception_by",
]

# What staff are told each step did about the Art. 14 notice.
NOTICE_OUTCOMES = {
    notices.QUEUED: ("The Art. 14 notice, naming the source, is queued.", messages.SUCCESS),
    notices.NO_ADDRESS: (
        "No email address: add one, or record an Art. 14(5) exception, before the deadline.",
        messages.WARNING,
    ),
    notices.WITHHELD: (
        "No notice was sent: this person objected or had their data erased earlier. Delete the "
        "lead unless they asked to be contacted again.",
        messages.WARNING,
    ),
}


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
    choose, and see, is LeadAdmin.get_queryset's rule (clinics.selectors.clinics_visible_to, through leads.clinic_scope)."""

    title = "collected for"
    parameter_name = "collected_for"

    def lookups(self, request, model_admin):
        # Only the clinics the person may see are offered (CL-02).
        clinics = (
            clinic_scope.clinics_visible_to(request.user).filter(leads__isnull=False).distinct()
        )
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
        if not is_id(Lead._meta.get_field("clinic").target_field, self.value()):
            raise IncorrectLookupParameters("Not a clinic's id.")  # the list's "?e=1" error
        return queryset.filter(clinic_id=self.value())


class Art14NoticeFilter(admin.SimpleListFilter):
    """Leads from other sources by where their Art. 14 notice stands (TP-02)."""

    title = "Art. 14 notice"
    parameter_name = "art14"

    def lookups(self, request, model_admin):
        return [
            ("attention", "Waiting, due within a week or overdue"),
            ("waiting", "Waiting"),
            ("given", "Queued or sent"),
            ("excepted", "Not given (Art. 14(5))"),
        ]

    def queryset(self, request, queryset):
        waiting = notices.awaiting_notice()
        if self.value() == "attention":
            return queryset.filter(pk__in=notices.needing_staff().values("pk"))
        if self.value() == "waiting":
            return queryset.filter(pk__in=waiting.values("pk"))
        if self.value() == "given":
            return queryset.filter(notice_queued_at__isnull=False)
        if self.value() == "excepted":
            return queryset.exclude(notice_exception="")
        return queryset


@admin.register(Lead)
class LeadAdmin(StepPageMixin, AuditedModelAdmin):
    list_display = [
        "__str__",
        "email",
        "company",
        "kind",
        "source_name",
        "art14_notice",
        "purpose_name",
        "marketing_consent",
        "created_at",
        "last_contact_at",
    ]
    list_filter = [
        CollectedForFilter,
        Art14NoticeFilter,
        "kind",
        "source_kind",
        ("source", named_values(name_of_source)),
        ("purpose", named_values(activity_name)),
        "marketing_consent",
        ("language", named_values(name_of_language)),
        "policy_version",
    ]
    search_fields = ["name", "email", "company"]
    list_select_related = ["notice_email"]
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
                    "purpose_name",
                    "legal_basis_article",
                    "source_name",
                    "policy_version",
                    "language_name",
                    "created_at",
                    "last_contact_at",
                ]
            },
        ),
        (
            "Marketing consent",
            {"fields": ["marketing_consent", "marketing_consent_wording", "newsletter_records"]},
        ),
        (
            "Source and Art. 14 notice (data not collected from the person)",
            {
                "fields": [
                    "source_kind",
                    "source_description",
                    "art14_notice",
                    "notice_exception",
                    "notice_exception_reason",
                    "notice_exception_at",
                    "notice_exception_by",
                ]
            },
        ),
    ]
    inlines = [MeetingInline]

    def get_queryset(self, request):
        # The list, search, change page, exports and lookups all start here: a clinic's leads are
        # seen only by staff assigned to it (CL-02); anyone else gets "does not exist".
        return super().get_queryset(request).filter(clinic_scope.rows_visible_to(request.user))

    def get_readonly_fields(self, request, obj=None):
        # A lead from another source that came without an address may be given one: that is
        # what lets its Art. 14 notice go out (other_sources.add_address_to_lead).
        if obj is not None and obj.kind == Lead.Kind.OTHER_SOURCE and not obj.email:
            return [field for field in LEAD_EVIDENCE if field != "email"]
        return LEAD_EVIDENCE

    def save_model(self, request, obj, form, change):
        email = obj.email if change and "email" in form.changed_data else ""
        if email:
            obj.email = ""  # set by the service, which also gives the notice
        super().save_model(request, obj, form, change)
        if email:
            try:
                outcome = other_sources.add_address_to_lead(
                    lead_id=obj.pk, email=email, actor=actor_of(request.user)
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self._tell_outcome(request, outcome)

    def _tell_outcome(self, request, outcome: str) -> None:
        if outcome in NOTICE_OUTCOMES:
            self.message_user(request, *NOTICE_OUTCOMES[outcome])

    # Staff enter only leads from other sources: the person's own come through the forms and the
    # booking provider. The plain add form is replaced by one that requires the source.
    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:leads_lead_enter")

    def get_urls(self):
        def step(view, permission):
            def permitted(request, *args, **kwargs):
                if not permission(request):
                    raise PermissionDenied
                return view(request, *args, **kwargs)

            return self.admin_site.admin_view(permitted)

        return [
            path("enter/", step(self.enter_view, self.has_add_permission), name="leads_lead_enter"),
            path(
                "<int:pk>/art14-exception/",
                step(self.exception_view, self.has_change_permission),
                name="leads_lead_art14_exception",
            ),
            *super().get_urls(),
        ]

    def enter_view(self, request):
        """A person obtained from another source (an event, a referral, a list): entered with
        the source, and sent the Art. 14 notice at once when the address is known."""
        form = OtherSourceLeadForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                lead, outcome = other_sources.enter_lead_from_other_source(
                    **form.cleaned_data, actor=actor_of(request.user)
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self._tell_outcome(request, outcome)
                return redirect("admin:leads_lead_change", lead.pk)
        return self.step_page(
            request,
            title="Enter a lead from another source",
            form=form,
            intro="For people whose details we did not get from them: met at an event, referred "
            "by a clinic or someone else, or from a partner's list. They are told the source, "
            "what we hold and their rights, by email, within one month (GDPR Art. 14).",
        )

    def exception_view(self, request, pk):
        """Leaving out the Art. 14 notice on a ground of Art. 14(5), with the reason; audited."""
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        form = NoticeExceptionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                other_sources.record_notice_exception(
                    lead_id=obj.pk, **form.cleaned_data, actor=actor_of(request.user)
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, "The Art. 14(5) exception is recorded.")
                return redirect("admin:leads_lead_change", obj.pk)
        return self.step_page(
            request,
            title=f"Give no Art. 14 notice to {obj}",
            form=form,
            obj=obj,
            intro="Only on a ground of GDPR Art. 14(5), with the reason written down. The "
            "decision is kept with the lead and in the audit log.",
        )

    @admin.display(description="Art. 14 notice")
    def art14_notice(self, lead: Lead) -> str:
        if lead.kind != Lead.Kind.OTHER_SOURCE:
            return "-"
        state = notices.notice_state(lead)
        if lead.notice_queued_at or lead.notice_exception:
            return state
        url = reverse("admin:leads_lead_art14_exception", args=[lead.pk])
        return format_html('{} · <a href="{}">Give no notice (Art. 14(5))…</a>', state, url)

    @admin.display(description="Purpose", ordering="purpose")
    def purpose_name(self, lead: Lead) -> str:
        """The declared activity the lead was collected for, as the policy names it."""
        return activity_name(lead.purpose)

    @admin.display(description="Source", ordering="source")
    def source_name(self, lead: Lead) -> str:
        return name_of_source(lead.source)

    @admin.display(description="Language")
    def language_name(self, lead: Lead) -> str:
        return name_of_language(lead.language)

    @admin.display(description="Legal basis")
    def legal_basis_article(self, lead: Lead) -> str:
        """As the policy prints it: "Our legitimate interests (Art. 6(1)(f))"."""
        letter = LEGAL_BASES.get(lead.legal_basis)
        if not letter:
            return lead.legal_basis
        return f"{LEGAL_BASIS_NAMES[lead.legal_basis]} ({cite(6, 1, letter)})"

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
    list_filter = ["provider", "status", ("lead__purpose", named_values(activity_name))]
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
        "replaced_booking_ids",
        "status",
        "starts_at",
        "ends_at",
        "last_event_at",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="Booking ids before a reschedule")
    def replaced_booking_ids(self, meeting: Meeting) -> str:
        return ", ".join(meeting.replaced.values_list("booking_id", flat=True)) or "-"

    def get_queryset(self, request):
        # A meeting is its lead's: seen only where the lead is (CL-02).
        queryset = super().get_queryset(request)
        return queryset.filter(
            clinic_scope.rows_visible_to(request.user, clinic_path="lead__clinic")
        )

    def has_add_permission(self, request):
        return False
