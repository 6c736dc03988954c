"""Back office for objections to processing on legitimate interests (GDPR Art. 21(1); RG-15):
record compelling grounds, have someone else review them, and see each objection's next step."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from audit.admin import AuditedModelAdmin, ReadOnlyAdminMixin, StepPageMixin
from audit.services import actor_of
from declaration.selectors import activity_name as name_of_activity
from rights.forms import GroundsForm, ReviewForm
from rights.models import Objection
from rights.services import objections
from wekst.admin_names import named_values


class ObjectionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The objections a request set (Art. 21(1)), with the step each one waits for."""

    model = Objection
    extra = 0
    fields = [
        "activity_name",
        "status",
        "ground",
        "grounds_recorded_by",
        "reviewed_by",
        "next_step",
    ]
    readonly_fields = fields

    @admin.display(description="activity")
    def activity_name(self, obj: Objection) -> str:
        return name_of_activity(obj.activity)

    @admin.display(description="next step")
    def next_step(self, obj: Objection) -> str:
        return ObjectionAdmin.next_step(None, obj)


@admin.register(Objection)
class ObjectionAdmin(StepPageMixin, ReadOnlyAdminMixin, AuditedModelAdmin):
    """Objections to processing on legitimate interests (Art. 21(1); RG-15): in force until one
    member of staff records compelling grounds and another reviews them."""

    list_display = [
        "__str__",
        "subject",
        "activity_name",
        "status",
        "objected_at",
        "grounds_recorded_by",
        "reviewed_by",
        "next_step",
    ]
    list_filter = ["status", ("activity", named_values(name_of_activity)), "direct_marketing"]
    exclude = ["activity"]  # shown by name (activity_name)
    readonly_fields = [
        "activity_name" if f.name == "activity" else f.name for f in Objection._meta.fields
    ]

    @admin.display(description="activity", ordering="activity")
    def activity_name(self, obj: Objection) -> str:
        """The declared activity objected to, as the policy names it."""
        return name_of_activity(obj.activity)

    @admin.display(description="next step")
    def next_step(self, obj: Objection) -> str:
        if obj.direct_marketing:
            return "None: absolute (direct marketing)"
        if obj.status == Objection.Status.IN_FORCE:
            url = reverse("admin:rights_objection_grounds", args=[obj.pk])
            return format_html('<a href="{}">Record compelling grounds…</a>', url)
        if obj.status == Objection.Status.GROUNDS_RECORDED:
            url = reverse("admin:rights_objection_review", args=[obj.pk])
            return format_html('<a href="{}">Review the grounds…</a>', url)
        return "-"

    def get_urls(self):
        return [
            path(
                "<int:pk>/grounds/",
                self.admin_site.admin_view(self.grounds_view),
                name="rights_objection_grounds",
            ),
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="rights_objection_review",
            ),
            *super().get_urls(),
        ]

    def grounds_view(self, request, pk):
        if not request.user.has_perm("rights.record_objection_grounds"):
            raise PermissionDenied
        obj = get_object_or_404(Objection, pk=pk)
        form = GroundsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                objections.record_objection_grounds(
                    objection_id=obj.pk,
                    ground=form.cleaned_data["ground"],
                    reason=form.cleaned_data["reason"],
                    actor=actor_of(request.user),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    "Grounds recorded. The processing stays stopped until a colleague or the "
                    "privacy officer reviews them.",
                )
                return redirect("admin:rights_objection_changelist")
        return self.step_page(
            request,
            obj=obj,
            form=form,
            title=f"Record compelling grounds against {obj}",
            intro="Only compelling legitimate grounds which override the person's interests, "
            "rights and freedoms, or legal claims, can outweigh an objection (Art. 21(1)). "
            "Someone else reviews them; only then is the person sent the decision and the "
            "processing resumes. An objection to direct marketing takes no grounds.",
        )

    def review_view(self, request, pk):
        if not request.user.has_perm("rights.review_objection_grounds"):
            raise PermissionDenied
        obj = get_object_or_404(Objection, pk=pk)
        form = ReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            uphold = form.cleaned_data["decision"]
            try:
                objections.review_objection_grounds(
                    objection_id=obj.pk,
                    actor=actor_of(request.user),
                    uphold=uphold,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    "Upheld: the person is sent the decision, the grounds and their remedies."
                    if uphold
                    else "Not upheld: the objection stays in force.",
                )
                return redirect("admin:rights_objection_changelist")
        intro = (
            f"Ground: {obj.get_ground_display()}. Recorded by {obj.grounds_recorded_by}: "
            f"{obj.grounds_reason}"
            if obj.status == Objection.Status.GROUNDS_RECORDED
            else "There are no grounds waiting for review."
        )
        return self.step_page(request, obj=obj, form=form, title=f"Review {obj}", intro=intro)
