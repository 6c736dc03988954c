"""The breach register in the back office: countdowns, the draft notification, the notices."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedModelAdmin, StepPageMixin
from audit.services import actor_of
from breaches import selectors, services
from breaches.models import Breach
from wekst.admin_guards import is_id


class BreachForm(forms.ModelForm):
    """The admin's form for a breach (its fields come from the fieldsets), plus a box to add the
    people affected by email address or subject id."""

    add_affected = forms.CharField(
        label=_("Add people affected"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Email addresses or subject ids, one per line. Only people already in our records "
            "can be added; the others are listed back to you."
        ),
    )

    def clean_add_affected(self) -> list:
        resolved = services.resolve_affected(
            references=self.cleaned_data["add_affected"].splitlines()
        )
        if resolved.unknown:
            raise forms.ValidationError(
                _("Not in our records: %(unknown)s") % {"unknown": ", ".join(resolved.unknown)}
            )
        return resolved.subjects

    def full_clean(self):
        # A person affected posted as something that is not an id (a tampered form) is a server
        # error twice over in Django: the field's own check sends a number too large to the
        # database, and the autocomplete widget looks each posted value up to show the form
        # back. Such values are taken out before either, and named in the field's error.
        name = self.add_prefix("affected_subjects")
        field = self.fields.get("affected_subjects")
        not_ids = []
        if self.is_bound and field is not None and hasattr(self.data, "getlist"):
            posted = self.data.getlist(name)
            not_ids = [value for value in posted if not is_id(field.queryset.model._meta.pk, value)]
            if not_ids:
                self.data = self.data.copy()
                self.data.setlist(name, [value for value in posted if value not in not_ids])
        super().full_clean()
        if not_ids:
            self.add_error(
                "affected_subjects",
                _("Not people in our records: %(values)s") % {"values": ", ".join(not_ids)},
            )


class AuthorityNotificationForm(forms.Form):
    """A notification to Datatilsynet made in Altinn, recorded once (Art. 33(1), (4))."""

    notified_at = forms.DateTimeField(
        label=_("Datatilsynet notified at"), help_text=_("For example 2026-12-07 14:30.")
    )
    reference = forms.CharField(label=_("Datatilsynet's reference"), max_length=100, required=False)
    partial = forms.BooleanField(
        label=_("notification sent in stages, follow-up due"), required=False
    )
    reasons_for_delay = forms.CharField(
        label=_("reasons for delay"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when Datatilsynet is notified more than 72 hours after awareness."),
    )


class FollowUpOpenFilter(admin.SimpleListFilter):
    title = _("needs action")
    parameter_name = "needs_action"

    def lookups(self, request, model_admin):
        return [("yes", _("Notification or follow-up due"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=selectors.breaches_needing_action())
        return queryset


@admin.register(Breach)
class BreachAdmin(StepPageMixin, AuditedModelAdmin):
    form = BreachForm
    list_display = [
        "title",
        "became_aware_at",
        "risk",
        "datatilsynet",
        "clinic_countdown",
        "people_notified",
        "closed_at",
    ]
    list_filter = [FollowUpOpenFilter, "risk", "source", "cause", "closed_at"]
    search_fields = ["title", "reported_by", "clinic__name", "authority_reference"]
    date_hierarchy = "became_aware_at"
    autocomplete_fields = ["affected_subjects"]
    raw_id_fields = ["clinic"]
    list_select_related = ["clinic"]
    readonly_fields = [
        "public_id",
        "datatilsynet",
        "clinic_countdown",
        # Set once, by the steps that notify or record a notification, never by the form: a
        # page opened before a colleague's notice would write it back empty on save, and the
        # countdown would ask for a second notice.
        "authority_notification",
        "authority_reference",
        "authority_notification_partial",
        "clinic_notified_at",
        "subjects_notified_at",
        "notices_queued",
        "notification_draft",
        "notice_preview",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["public_id", "title", "source", "reported_by", "datatilsynet"]}),
        (
            _("When"),
            {"fields": ["became_aware_at", "occurred_from", "occurred_until", "closed_at"]},
        ),
        (
            _("Nature of the breach (Art. 33(3)(a))"),
            {
                "fields": [
                    "what_happened",
                    "cause",
                    "how_it_arose",
                    ("confidentiality", "integrity", "availability"),
                    "data_categories",
                    "special_categories",
                    "subject_categories",
                    ("approx_subjects", "approx_records"),
                    "where_data_now",
                ]
            },
        ),
        (
            _("Consequences and measures (Art. 33(3)(c)-(d))"),
            {"fields": ["likely_consequences", "measures_taken", "measures_planned"]},
        ),
        (_("Risk assessment"), {"fields": ["risk", "risk_reasoning", "contact_point"]}),
        (
            _("Notification to Datatilsynet (Art. 33)"),
            {
                "fields": [
                    "notification_draft",
                    "authority_notification",
                    "authority_reference",
                    "authority_notification_partial",
                    "authority_follow_up_at",
                    "reasons_for_delay",
                ]
            },
        ),
        (
            _("People affected (Art. 34)"),
            {
                "fields": [
                    "affected_subjects",
                    "add_affected",
                    "art34_exception",
                    "art34_exception_details",
                    "notice_preview",
                    "subjects_notified_at",
                    "notices_queued",
                ]
            },
        ),
        (
            _("Clinic (Wekst as processor)"),
            {"fields": ["clinic", "clinic_notified_at", "clinic_countdown"]},
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["send_notices", "notify_clinic"]

    class Media:
        css = {"all": ["breaches/admin.css"]}

    def has_delete_permission(self, request, obj=None):
        # Every breach stays documented (Art. 33(5)); the register expires by its retention rule.
        return False

    @admin.display(description=_("Datatilsynet (72 h)"))
    def datatilsynet(self, breach: Breach) -> str:
        if breach.pk is None:
            return "-"
        return self._countdown(selectors.authority_deadline(breach))

    @admin.display(description=_("Deadline to tell the clinic"))
    def clinic_countdown(self, breach: Breach) -> str:
        deadline = selectors.clinic_deadline(breach) if breach.pk else None
        return self._countdown(deadline) if deadline else "-"

    @staticmethod
    def _countdown(deadline: selectors.Deadline) -> str:
        due = f" ({timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M})" if deadline.due_at else ""
        return format_html(
            '<span class="breach-deadline breach-{}">{}</span>{}',
            deadline.state,
            deadline.text,
            due,
        )

    @admin.display(description=_("People notified"), boolean=True)
    def people_notified(self, breach: Breach) -> bool | None:
        if breach.risk != Breach.Risk.HIGH:
            return None
        return breach.subjects_notified_at is not None

    @admin.display(description=_("Notices queued"))
    def notices_queued(self, breach: Breach) -> int:
        return breach.notices.count() if breach.pk else 0

    @admin.display(description=_("Draft notification"))
    def notification_draft(self, breach: Breach) -> str:
        if breach.pk is None:
            return "-"
        url = reverse("admin:breaches_breach_notification", args=[breach.pk])
        return format_html('<a href="{}">{}</a>', url, _("Printable draft for Datatilsynet"))

    @admin.display(description=_("Datatilsynet notified at"))
    def authority_notification(self, breach: Breach) -> str:
        if breach.authority_notified_at is not None:
            return f"{timezone.localtime(breach.authority_notified_at):%Y-%m-%d %H:%M}"
        if breach.pk is None:
            return _("Save the breach first; then record the notification here.")
        url = reverse("admin:breaches_breach_record_authority_notification", args=[breach.pk])
        return format_html('<a href="{}">{}</a>', url, _("Record the notification made in Altinn"))

    @admin.display(description=_("Notice to the people affected"))
    def notice_preview(self, breach: Breach) -> str:
        if breach.pk is None or breach.risk != Breach.Risk.HIGH:
            return _("Only for a breach assessed as high risk.")
        return format_html('<pre class="breach-notice">{}</pre>', services.notice_body(breach))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        subjects = form.cleaned_data.get("add_affected") or []
        if subjects:
            added = services.add_affected_subjects(breach=form.instance, subjects=subjects)
            self.message_user(request, _("%(count)d people added.") % {"count": added})

    @admin.action(description=_("Send the notice to the people affected"), permissions=["change"])
    def send_notices(self, request, queryset):
        for breach in queryset:
            try:
                queued = services.send_breach_notices(
                    breach_id=breach.pk, actor=actor_of(request.user)
                )
            except services.NoticeRefused as refusal:
                self.message_user(request, f"{breach.title}: {refusal}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(title)s: %(count)d notice(s) queued.")
                    % {"title": breach.title, "count": queued},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Notify the clinic whose data it was"), permissions=["change"])
    def notify_clinic(self, request, queryset):
        for breach in queryset:
            try:
                services.notify_clinic(breach_id=breach.pk, actor=actor_of(request.user))
            except services.NoticeRefused as refusal:
                self.message_user(request, f"{breach.title}: {refusal}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(title)s: the clinic's privacy contact is being notified.")
                    % {"title": breach.title},
                    messages.SUCCESS,
                )

    def get_urls(self):
        return [
            path(
                "<int:breach_id>/notification/",
                self.admin_site.admin_view(self.notification_view),
                name="breaches_breach_notification",
            ),
            path(
                "<int:breach_id>/authority-notification/",
                self.admin_site.admin_view(self.authority_notification_view),
                name="breaches_breach_record_authority_notification",
            ),
            *super().get_urls(),
        ]

    def authority_notification_view(self, request, breach_id: int):
        """Record the notification to Datatilsynet once (services.record_authority_notification)."""
        breach = get_object_or_404(Breach, pk=breach_id)
        if not self.has_change_permission(request, breach):
            raise PermissionDenied
        form = AuthorityNotificationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.record_authority_notification(
                    breach_id=breach.pk, actor=actor_of(request.user), **form.cleaned_data
                )
            except services.NoticeRefused as refusal:
                form.add_error(None, str(refusal))
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                self.message_user(request, _("The notification to Datatilsynet is recorded."))
                return redirect("admin:breaches_breach_change", breach.pk)
        return self.step_page(
            request,
            title=_("Record the notification to Datatilsynet"),
            form=form,
            obj=breach,
            intro=_(
                "Once only: the time the notification was sent in Altinn, with Datatilsynet's "
                "reference (Altinn shows it on the receipt) and whether it was partial."
            ),
        )

    def notification_view(self, request, breach_id: int):
        """The draft notification to Datatilsynet, as a printable page (Art. 33(3)(a)-(d))."""
        breach = get_object_or_404(Breach, pk=breach_id)
        if not self.has_view_permission(request, breach):
            raise PermissionDenied
        self.audit(request, "view", breach, "draft notification to Datatilsynet")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Draft notification to Datatilsynet"),
            "breach": breach,
            "opts": self.opts,
            "deadline": selectors.authority_deadline(breach),
            "contact_point": selectors.contact_point(breach),
            "categories": [
                label
                for flag, label in (
                    (breach.confidentiality, _("Confidentiality")),
                    (breach.integrity, _("Integrity")),
                    (breach.availability, _("Availability")),
                )
                if flag
            ],
        }
        return TemplateResponse(request, "breaches/notification_draft.html", context)
