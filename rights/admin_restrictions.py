"""Back office for restrictions and objections in force (Art. 18, Art. 21): the flag staff see,
and lifting one with a reason the person is told."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from audit.admin import AuditedModelAdmin, ReadOnlyAdminMixin, StepPageMixin
from audit.services import actor_of
from rights.forms import ReasonForm
from rights.models import Restriction
from rights.services import restriction
from subjects.admin import SubjectScopedAdminMixin


@admin.register(Restriction)
class RestrictionAdmin(
    SubjectScopedAdminMixin, StepPageMixin, ReadOnlyAdminMixin, AuditedModelAdmin
):
    """Restrictions and objections in force: staff see the flag, and lift one with a reason
    told to the person (Art. 18(3)). Staff assigned to a clinic see those of its people; lifting
    one stays with the role that may (CL-02)."""

    list_display = ["__str__", "subject", "kind", "started_at", "lifted_at", "lift_link"]
    list_filter = ["kind", ("lifted_at", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in Restriction._meta.fields]

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if self.has_full_view_permission(request):
            return shown
        return [name for name in shown if name != "lift_link"]

    @admin.display(description="")
    def lift_link(self, obj: Restriction) -> str:
        if obj.lifted_at:
            return ""
        url = reverse("admin:rights_restriction_lift", args=[obj.pk])
        return format_html('<a href="{}">Lift…</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/lift/",
                self.admin_site.admin_view(self.lift_view),
                name="rights_restriction_lift",
            ),
            *super().get_urls(),
        ]

    def lift_view(self, request, pk):
        if not self.has_full_view_permission(request):
            raise PermissionDenied
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                restriction.lift_restriction(
                    restriction_id=obj.pk,
                    actor=actor_of(request.user),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, "Lifted; the person is told.")
                return redirect("admin:rights_restriction_changelist")
        return self.step_page(
            request,
            title=f"Lift {obj}",
            form=form,
            obj=obj,
            intro="The person is told, with the reason, by email.",
        )
