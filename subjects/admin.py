from django.contrib import admin
from django.http import Http404

from audit.admin import AuditedModelAdmin
from subjects import scope
from subjects.models import Subject


class SubjectScopedAdminMixin:
    """For a ModelAdmin of records about people (the subject index, the rights tools): staff see
    only the people `subjects.scope.subjects_visible_to` lets them see (CL-02). A staff member
    assigned to a clinic reaches these pages for that clinic's people, read-only, without the
    role that sees everyone; any other record answers 404, never 403, so that its existence does
    not leak. Put it first, before the admin base class."""

    # How a row reaches its subject ("" for the subject itself).
    subject_lookup = "subject"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        visible = scope.subjects_visible_to(request.user)
        if visible is None:
            return queryset
        if self.subject_lookup:
            return queryset.filter(**{f"{self.subject_lookup}__in": visible})
        return queryset.filter(pk__in=visible.values("pk"))

    def has_full_view_permission(self, request) -> bool:
        """The role's own permission (the privacy officer's), not the clinic assignment."""
        return super().has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or scope.works_for_a_clinic(request.user)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or scope.works_for_a_clinic(request.user)

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404
        return found


@admin.register(Subject)
class SubjectAdmin(SubjectScopedAdminMixin, AuditedModelAdmin):
    list_display = ["email", "phone", "created_at"]
    search_fields = ["email", "phone"]
    readonly_fields = ["public_id", "created_at"]
    subject_lookup = ""
