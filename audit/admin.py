"""The audit log in the back office, the base class that writes to it from every admin page that
shows personal data (SEC-01; GDPR Art. 5(2), 32(1)(b)), the mixin for read-only records, and the
one page for a step staff take on a record (open, extend, refuse, lift…)."""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.db import models
from django.template.response import TemplateResponse

from audit.models import AuditEntry
from audit.services import actor_of, record_event
from wekst.admin_guards import GuardedModelAdmin
from wekst.admin_names import named_values, records_name


def record_type_name(label: str) -> str:
    return records_name(label, plural=False)


# Where an action leaves the ids of the records it acted on (AuditedModelAdmin.acted_on).
_ACTED_ON = "_audited_acted_on"


class ReadOnlyAdminMixin:
    """For a ModelAdmin or an inline whose rows are records the system writes (logs, evidence,
    published versions): staff read them, and no one adds, changes or deletes one here, not even
    a superuser. Put it first, before the admin base class."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StepPageMixin:
    """For a ModelAdmin with pages of its own for one step on a record (open a request, extend
    its deadline, record grounds, lift a restriction…): one form in the back office's look, with
    a breadcrumb back to the list (templates/admin/step_form.html)."""

    def step_page(self, request, *, title: str, form, obj=None, intro: str = ""):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "obj": obj,
            "intro": intro,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/step_form.html", context)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, GuardedModelAdmin):
    """Read-only: the log is append-only, even for superusers. Seen by administrators and the
    privacy officer only (the view permission, staff.roles)."""

    list_display = ["sequence", "at", "actor", "action", "record_type", "object_id", "subject_ref"]
    list_filter = ["action", ("object_type", named_values(record_type_name))]
    search_fields = ["actor", "object_id", "subject_ref"]
    exclude = ["object_type"]  # shown by name (record_type)
    readonly_fields = [
        "record_type" if f.name == "object_type" else f.name
        for f in AuditEntry._meta.fields
        if f.name != "id"
    ]

    @admin.display(description="record type", ordering="object_type")
    def record_type(self, entry: AuditEntry) -> str:
        """The kind of record acted on, by the back office's name for it ("Lead")."""
        return record_type_name(entry.object_type)


def subject_path(model: type[models.Model]) -> str | None:
    """How to reach the subject's public id from a row: "public_id" for a subject itself,
    "<fk>__public_id" for a record that points at one, None for a record that does not."""
    subject_model = apps.get_model("subjects", "Subject")
    if model is subject_model:
        return "public_id"
    for field in model._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.related_model is subject_model:
            return f"{field.name}__public_id"
    return None


def subject_ref_of(obj: models.Model | None) -> str:
    """The public id of the subject a record is about ("" when it names no one)."""
    if obj is None:
        return ""
    path = subject_path(type(obj))
    if path is None:
        return ""
    value = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


class AuditedModelAdmin(GuardedModelAdmin):
    """A ModelAdmin that records every staff view, export, change and erasure in the audit log.

    - the change page, the history and the deletion page (GET): "view" of that record;
    - the list (GET): one "view" entry for the page, with how many records it showed (not the
      search term, which may itself be an email address);
    - an action whose answer is a download: "export" of each selected record (one entry for the
      whole export when the records name no subject, e.g. the consent log);
    - any other action: "change" of each selected record, naming the action; of only those it
      acted on when the action names them (`acted_on`), so that a record left as it was (a hold
      lifted already, a notice done already) is not logged as changed;
    - saving: "create" or "change"; deleting: "erase".

    Entries hold references (model label, id, the subject's public id), never the data.
    """

    def audit(self, request, action: str, obj: models.Model | None = None, reason: str = ""):
        return record_event(
            actor=actor_of(request.user),
            action=action,
            object_type=self.model._meta.label,
            object_id=obj.pk if obj is not None else "",
            subject_ref=subject_ref_of(obj),
            reason=reason,
        )

    @staticmethod
    def acted_on(request, pks) -> None:
        """For an action: the records it changed, out of those selected; only they are audited
        as changed."""
        setattr(request, _ACTED_ON, set(pks))

    def _references(self, queryset) -> list[tuple[object, str]]:
        """(pk, subject public id) of each record, read before an action can change them."""
        path = subject_path(self.model)
        if path is None:
            return [(pk, "") for pk in queryset.values_list("pk", flat=True)]
        return [(pk, str(ref or "")) for pk, ref in queryset.values_list("pk", path)]

    def _audit_each(self, request, action: str, references, reason: str) -> None:
        for pk, subject_ref in references:
            record_event(
                actor=actor_of(request.user),
                action=action,
                object_type=self.model._meta.label,
                object_id=pk,
                subject_ref=subject_ref,
                reason=reason,
            )

    @staticmethod
    def _shown(request, response) -> bool:
        return request.method in ("GET", "HEAD") and response.status_code == 200

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if self._shown(request, response):
            changelist = getattr(response, "context_data", {}).get("cl")
            shown = len(changelist.result_list) if changelist is not None else 0
            self.audit(request, "view", reason=f"list: {shown} shown")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if self._shown(request, response):
            self.audit(request, "view", response.context_data.get("original"), "change page")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if self._shown(request, response):
            self.audit(request, "view", response.context_data.get("object"), "history")
        return response

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        if self._shown(request, response):
            self.audit(request, "view", response.context_data.get("object"), "deletion page")
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.audit(request, "change" if change else "create", obj, "saved in the back office")

    def delete_model(self, request, obj):
        subject_ref, pk = subject_ref_of(obj), obj.pk
        super().delete_model(request, obj)
        record_event(
            actor=actor_of(request.user),
            action="erase",
            object_type=self.model._meta.label,
            object_id=pk,
            subject_ref=subject_ref,
            reason="deleted in the back office",
        )

    def delete_queryset(self, request, queryset):
        # The references are read first: after the delete there is nothing left to name.
        self._audit_each(request, "erase", self._references(queryset), "deleted in the back office")
        super().delete_queryset(request, queryset)

    def response_action(self, request, queryset, action_location=ActionLocation.CHANGE_LIST):
        refused = self.refuse_selection_of_non_ids(request)
        if refused is not None:  # read before the references: they are looked up by these ids
            return refused
        action = self._posted_action(request, action_location)
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        across = request.POST.get("select_across") == "1" and (
            action_location == ActionLocation.CHANGE_LIST
        )
        references = []
        if action and action != "delete_selected" and (selected or across):
            references = self._references(queryset if across else queryset.filter(pk__in=selected))
        response = super().response_action(request, queryset, action_location)
        if response is None or action == "delete_selected":  # nothing done, or audited as erase
            return response
        if response.get("Content-Disposition", "").startswith("attachment"):
            if subject_path(self.model):
                self._audit_each(request, "export", references, f"export: {action}")
            else:
                self.audit(request, "export", reason=f"export: {action}, {len(references)} records")
        elif response.status_code == 302:
            acted_on = getattr(request, _ACTED_ON, None)
            if acted_on is not None:
                references = [(pk, ref) for pk, ref in references if pk in acted_on]
            self._audit_each(request, "change", references, f"action: {action}")
        else:  # an intermediate page the action shows (a confirmation): a view of the records
            self._audit_each(request, "view", references, f"action page: {action}")
        return response

    @staticmethod
    def _posted_action(request, action_location) -> str:
        prefix = (
            "" if action_location == ActionLocation.CHANGE_LIST else f"{action_location.value}-"
        )
        try:
            index = int(request.POST.get("index", 0))
        except ValueError:
            index = 0
        names = request.POST.getlist(f"{prefix}action")
        return names[index] if 0 <= index < len(names) else ""
