"""Back office for privacy requests: the queue by deadline, and every step as a service call.

Requests are never edited by hand: each change (verify, extend, forward, erase, correct, refuse,
complete) is a service, so it is checked, told to the person and audited in one place.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from audit.admin import AuditedModelAdmin, StepPageMixin
from audit.services import actor_of
from declaration.selectors import activity_name
from rights import access_report
from rights.admin_notices import ProcessorNoticeAdmin  # noqa: F401 - registers it
from rights.admin_objections import ObjectionInline
from rights.admin_restrictions import RestrictionAdmin  # noqa: F401 - registers it
from rights.forms import ExtendForm, ReasonForm, RefuseForm, StaffRequestForm
from rights.models import Request, Restriction
from rights.services import (
    access,
    clinics,
    closing,
    deadlines,
    erasure,
    opening,
    rectification,
    refusals,
)
from rights.views import FORMATS, report_response
from subjects.admin import SubjectScopedAdminMixin
from wekst.admin_names import language_name


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# Each field of a request as it is stored, but those a person cannot read as stored (keys, JSON,
# a language code, a count of months): these are shown by RequestAdmin's display methods.
SHOWN_AS = {
    "language": "language_name",
    "extended_by_months": "extension",
    "corrections": "corrections_shown",
    "consent_ids": "consent_ids_shown",
    "analytics_client_ids": "analytics_client_ids_shown",
    "objected_activities": "objected_activities_shown",
    "erasure_report": "erasure_report_shown",
}


@admin.register(Request)
class RequestAdmin(SubjectScopedAdminMixin, StepPageMixin, AuditedModelAdmin):
    """The queue: open requests first by deadline (RIG-06), with the actions each kind needs.

    Staff assigned to a clinic see the requests about that clinic's people (and nothing else:
    404), with their access report and its export; handling a request (opening, extending,
    refusing, completing, the actions) stays with the role that may (CL-02, CL-04)."""

    list_display = [
        "reference",
        "kind",
        "status",
        "received_via",
        "received_at",
        "due_at",
        "days_left",
        "extension",
        "clinic_name",
        "restricted",
    ]
    list_filter = ["status", "kind", "received_via"]
    search_fields = ["email", "public_id", "clinic_name"]
    ordering = ["due_at", "received_at"]
    list_select_related = ["subject"]
    date_hierarchy = "received_at"
    readonly_fields = [
        SHOWN_AS.get(f.name, f.name)
        for f in Request._meta.fields
        if f.name != "verification_token_hash"
    ]
    exclude = ["verification_token_hash", *SHOWN_AS]
    actions = ["carry_out_erasure", "apply_rectification", "forward_to_clinic", "send_report_link"]
    inlines = [ObjectionInline]
    change_form_template = "admin/rights/request/change_form.html"

    def has_delete_permission(self, request, obj=None):
        # Request records are evidence (Art. 5(2)); retention deletes them after their period.
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing only; every change goes through an action or a step page.
        return False

    @admin.display(description="reference")
    def reference(self, obj: Request) -> str:
        return str(obj.public_id)[:8]

    @admin.display(description="days left")
    def days_left(self, obj: Request) -> str:
        if not obj.is_open:
            return "-"
        days = (timezone.localtime(obj.due_at).date() - timezone.localdate()).days
        if days < 0:
            return format_html('<strong style="color:#b00">overdue {} d</strong>', -days)
        return f"{days} day" if days == 1 else f"{days} days"

    @admin.display(description="extended by", ordering="extended_by_months")
    def extension(self, obj: Request) -> str:
        """The Art. 12(3) extension, in months; "-" for a request that was not extended."""
        months = obj.extended_by_months
        if not months:
            return "-"
        return "1 month" if months == 1 else f"{months} months"

    @admin.display(description="language")
    def language_name(self, obj: Request) -> str:
        return language_name(obj.language)

    @admin.display(description="corrections")
    def corrections_shown(self, obj: Request) -> str:
        """Rectification: each corrected field with its new value, one a line."""
        corrections = obj.corrections or {}
        if not corrections:
            return "-"
        return format_html_join(
            "", "{}: {}<br>", ((field.replace("_", " "), v) for field, v in corrections.items())
        )

    @admin.display(description="consent ids")
    def consent_ids_shown(self, obj: Request) -> str:
        return ", ".join(obj.consent_ids or []) or "-"

    @admin.display(description="analytics client ids")
    def analytics_client_ids_shown(self, obj: Request) -> str:
        return ", ".join(obj.analytics_client_ids or []) or "-"

    @admin.display(description="objected activities")
    def objected_activities_shown(self, obj: Request) -> str:
        """Objection (Art. 21(1)): the activities objected to, as the policy names them."""
        return ", ".join(activity_name(key) for key in obj.objected_activities or []) or "-"

    @admin.display(description="erasure report")
    def erasure_report_shown(self, obj: Request) -> str:
        """What the erasure did, as the person is shown it in the privacy portal (RG-11)."""
        if not obj.erasure_report:
            return "-"
        return render_to_string("rights/erasure_report.html", {"report": obj.erasure_report})

    def get_queryset(self, request):
        # The restriction flag for the whole page in the same query (RG-14: staff see a flag).
        in_force = Restriction.objects.filter(subject=OuterRef("subject"), lifted_at__isnull=True)
        return super().get_queryset(request).annotate(restricted_now=Exists(in_force))

    @admin.display(description="restricted", boolean=True)
    def restricted(self, obj: Request) -> bool:
        return getattr(obj, "restricted_now", False)

    # Steps -----------------------------------------------------------------------------------

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        if not self.has_full_view_permission(request):
            return {}
        return super().get_actions(request, action_location)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The step links only for those who may take the steps (not a clinic's staff: CL-02).
        extra_context = {
            **(extra_context or {}),
            "may_handle": self.has_full_view_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _scoped(self, request, pk) -> Request:
        """The request, if it is about someone this staff member may see; 404 otherwise."""
        return get_object_or_404(self.get_queryset(request).select_related("subject"), pk=pk)

    def get_urls(self):
        def step(view, *, handling=True):
            def permitted(request, *args, **kwargs):
                allowed = self.has_full_view_permission if handling else self.has_view_permission
                if not allowed(request):
                    raise PermissionDenied
                return view(request, *args, **kwargs)

            return self.admin_site.admin_view(permitted)

        return [
            path("open/", step(self.open_view), name="rights_request_open"),
            path("<int:pk>/extend/", step(self.extend_view), name="rights_request_extend"),
            path("<int:pk>/refuse/", step(self.refuse_view), name="rights_request_refuse"),
            path("<int:pk>/complete/", step(self.complete_view), name="rights_request_complete"),
            path(
                "<int:pk>/report/",
                step(self.report_view, handling=False),
                name="rights_request_report",
            ),
            path(
                "<int:pk>/report.<str:format>",
                step(self.download_view, handling=False),
                name="rights_request_download",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:rights_request_open")

    def open_view(self, request):
        """A request received by email, letter or phone: staff record how identity was checked."""
        form = StaffRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                opened = opening.open_request(
                    kind=data["kind"],
                    email=data["email"],
                    received_via=data["received_via"],
                    details=data["details"],
                    identity_check=data["identity_check"],
                    corrections=form.corrections(),
                    clinic_name=data["clinic_name"],
                    clinic_email=data["clinic_email"],
                    objected_activities=data["activities"],
                    actor=actor_of(request.user),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, f"Request {opened} opened.", messages.SUCCESS)
                return redirect("admin:rights_request_change", opened.pk)
        return self.step_page(
            request, title="Open a request received by email, letter or phone", form=form
        )

    def extend_view(self, request, pk):
        obj = self._scoped(request, pk)
        form = ExtendForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                deadlines.extend_request(
                    request_id=obj.pk,
                    months=form.cleaned_data["months"],
                    reason=form.cleaned_data["reason"],
                    actor=actor_of(request.user),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, "Deadline extended; the person is told.")
                return redirect("admin:rights_request_change", obj.pk)
        return self.step_page(
            request,
            title=f"Extend {obj}",
            form=form,
            obj=obj,
            intro="The person is told the reason and the new date by email.",
        )

    def _reason_step(
        self, request, pk, *, service, title, done, keyword="reason", form_class=ReasonForm, **page
    ):
        obj = self._scoped(request, pk)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            data[keyword] = data.pop("reason")
            try:
                service(request_id=obj.pk, actor=actor_of(request.user), **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, done)
                return redirect("admin:rights_request_change", obj.pk)
        return self.step_page(request, title=f"{title} {obj}", form=form, obj=obj, **page)

    def refuse_view(self, request, pk):
        """Art. 12(4)-(5): a ground and the reasons, or nothing is refused."""
        if not request.user.has_perm("rights.refuse_request"):
            raise PermissionDenied
        return self._reason_step(
            request,
            pk,
            service=refusals.refuse_request,
            form_class=RefuseForm,
            title="Refuse",
            done="Refused. The person is sent the ground, your reasons, and their right to "
            "complain to Datatilsynet and to go to court.",
            intro="Only a manifestly unfounded or excessive request, or one an exception in the "
            "law covers, can be refused, and only with the reasons written out: the person is "
            "sent them at once, in their language, with the right to complain to Datatilsynet "
            "and to go to court. Requests are free; Wekst charges no fee.",
        )

    def complete_view(self, request, pk):
        return self._reason_step(
            request,
            pk,
            service=closing.complete_request,
            title="Complete",
            done="Completed.",
            keyword="outcome",
        )

    def _report(self, request, pk):
        obj = self._scoped(request, pk)
        report = access_report.build_access_report(
            subject=obj.subject, consent_ids=obj.consent_ids, language=obj.language
        )
        return obj, report

    def report_view(self, request, pk):
        """The same report the person gets, for requests answered by post (audited as export)."""
        obj, report = self._report(request, pk)
        access.record_report_export(request=obj, actor=actor_of(request.user), format="page")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Access report for {obj}",
            "obj": obj,
            "report": report,
            "rights": report.rights(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/rights/report.html", context)

    def download_view(self, request, pk, format):
        if format not in FORMATS:
            self._scoped(request, pk)
            return redirect("admin:rights_request_change", pk)
        obj, report = self._report(request, pk)
        access.record_report_export(request=obj, actor=actor_of(request.user), format=format)
        return report_response(report, format=format)

    # Actions ---------------------------------------------------------------------------------

    def _each(self, request, queryset, service, done: str) -> None:
        ok = 0
        for obj in queryset:
            try:
                service(request_id=obj.pk, actor=actor_of(request.user))
            except ValidationError as error:
                self.message_user(request, f"{obj}: {_error_text(error)}", messages.ERROR)
            else:
                ok += 1
        if ok:
            self.message_user(request, f"{ok} request(s): {done}", messages.SUCCESS)

    @admin.action(description="Carry out the erasure (after review)")
    def carry_out_erasure(self, request, queryset):
        self._each(request, queryset, erasure.carry_out_erasure, "erased; the person is told.")

    @admin.action(description="Apply the corrections (after review)")
    def apply_rectification(self, request, queryset):
        self._each(request, queryset, rectification.apply_rectification, "corrected.")

    @admin.action(description="Forward to the clinic (the controller)")
    def forward_to_clinic(self, request, queryset):
        self._each(request, queryset, clinics.forward_to_clinic, "forwarded to the clinic.")

    @admin.action(description="Send the person a link to their report")
    def send_report_link(self, request, queryset):
        self._each(request, queryset, access.send_report_link, "link sent.")
