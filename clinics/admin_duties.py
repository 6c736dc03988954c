"""Back office of what Wekst owes a clinic beyond its agreement: sub-processor changes (CL-03,
PT-04), instructions Wekst warned were unlawful (CL-07) and the end of an engagement (CL-08).

Each add or step runs its service (clinics.sub_processors, .instructions, .offboarding), which
audits it; a refusal is shown on the form and nothing is stored. Only staff with the models'
permissions reach these pages (the administrator and the privacy officer, staff.roles).
"""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedModelAdmin
from audit.services import actor_of
from clinics import instructions, offboarding, sub_processors
from clinics.models import Offboarding, SubProcessorChange, UnlawfulInstruction


class ServiceForm(forms.ModelForm):
    """A form whose saving is one service call, run once every other check passed, so that a
    refusal is a form error and nothing is stored."""

    actor = ""
    created = None

    def run(self, data: dict):
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.created = self.run(self.cleaned_data)
        except (
            sub_processors.SubProcessorRefused,
            instructions.InstructionRefused,
            offboarding.OffboardingRefused,
        ) as refused:
            self.add_error(None, str(refused))


class ServiceAdmin(AuditedModelAdmin):
    """Adds and changes through the form's service call (already audited)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = actor_of(request.user)
        return form

    def save_form(self, request, form, change):
        return form.created or form.instance

    def save_model(self, request, obj, form, change):
        pass  # the service saved and audited it

    def save_related(self, request, form, formsets, change):
        pass  # no many-to-many of their own, no inlines

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # evidence: kept with the clinic


class ProposeForm(ServiceForm):
    class Meta:
        model = SubProcessorChange
        fields = ["clinic", "recipient", "replaces", "reason", "object_by"]

    def run(self, data):
        return sub_processors.propose_sub_processor(
            clinic=data["clinic"],
            recipient=data["recipient"],
            replaces=data.get("replaces"),
            reason=data["reason"],
            object_by=data["object_by"],
            actor=self.actor,
        )


class AnswerForm(ServiceForm):
    class Meta:
        model = SubProcessorChange
        fields = ["objected_on", "objection", "authorised_on", "evidence"]

    def run(self, data):
        # As stored: the form has already copied the answer onto self.instance.
        change = SubProcessorChange.objects.get(pk=self.instance.pk)
        if data.get("objected_on") and change.objected_on is None:
            return sub_processors.record_objection(
                change=change,
                objected_on=data["objected_on"],
                objection=data.get("objection", ""),
                actor=self.actor,
            )
        if data.get("authorised_on") and change.authorised_on is None:
            return sub_processors.record_authorisation(
                change=change,
                authorised_on=data["authorised_on"],
                evidence=data.get("evidence", ""),
                actor=self.actor,
            )
        raise sub_processors.SubProcessorRefused(
            "Record the clinic's objection or its authorisation, with the day."
        )


@admin.register(SubProcessorChange)
class SubProcessorChangeAdmin(ServiceAdmin):
    """A new or replacing sub-processor for a clinic: adding one emails the clinic with the last
    day to object; the clinic's objection or specific authorisation is recorded here (CL-03)."""

    list_display = ["clinic", "recipient", "replaces", "notified_at", "object_by", "decision"]
    list_filter = ["clinic"]

    def get_changeform_initial_data(self, request):
        return {"object_by": timezone.localdate() + sub_processors.OBJECTION_PERIOD}

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AnswerForm if obj else ProposeForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ProposeForm.Meta.fields
        return [*self.get_readonly_fields(request, obj), *AnswerForm.Meta.fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["decision", "clinic", "recipient", "replaces", "reason", "notified_at", "object_by",
                "notice_email", "withdrawn_on", "recorded_by"]  # fmt: skip

    @admin.display(description=_("Decision"))
    def decision(self, change: SubProcessorChange) -> str:
        return DECISIONS[change.decision(timezone.localdate())]


DECISIONS = {
    "pending": _("Waiting: not used until the deadline has passed without objection"),
    "objected": _("The clinic objected: never used for the clinic"),
    "authorised": _("Authorised by the clinic"),
    "not_objected": _("No objection by the deadline"),
}


class InstructionForm(ServiceForm):
    class Meta:
        model = UnlawfulInstruction
        fields = ["clinic", "received_on", "instruction", "why_unlawful", "notice_text",
                  "notified_on", "notified_how"]  # fmt: skip

    def run(self, data):
        return instructions.record_unlawful_instruction(actor=self.actor, **data)


class OutcomeForm(ServiceForm):
    class Meta:
        model = UnlawfulInstruction
        fields = ["outcome", "outcome_on", "outcome_note"]

    def run(self, data):
        if not data.get("outcome_on"):
            raise instructions.InstructionRefused("Give the day of the outcome.")
        return instructions.record_instruction_outcome(
            record=self.instance,
            outcome=data["outcome"],
            outcome_on=data["outcome_on"],
            note=data.get("outcome_note", ""),
            actor=self.actor,
        )


@admin.register(UnlawfulInstruction)
class UnlawfulInstructionAdmin(ServiceAdmin):
    """An instruction of a clinic Wekst told it would break the law, with the notice (CL-07)."""

    list_display = ["clinic", "received_on", "notified_on", "notified_how", "outcome"]
    list_filter = ["clinic", "outcome"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = OutcomeForm if obj else InstructionForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return InstructionForm.Meta.fields
        return [*InstructionForm.Meta.fields, "recorded_by", *OutcomeForm.Meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return [*InstructionForm.Meta.fields, "recorded_by"] if obj else []


class EndChoiceForm(ServiceForm):
    class Meta:
        model = Offboarding
        fields = ["clinic", "choice", "chosen_on", "instructed_by"]

    def run(self, data):
        return offboarding.record_end_choice(actor=self.actor, **data)


@admin.register(Offboarding)
class OffboardingAdmin(ServiceAdmin):
    """The end of an engagement (CL-08): record the clinic's choice, then, from the list, make the
    export (return), delete the data here and at the processors, and issue the certificate."""

    form = EndChoiceForm
    list_display = ["clinic", "choice", "chosen_on", "exported_at", "deleted_at",
                    "certificate_issued_at", "files"]  # fmt: skip
    actions = ["make_export", "delete_data", "issue_certificate"]
    readonly_fields = ["export_sha256", "exported_at", "deleted_at", "deleted_by",
                       "deleted_counts", "processor_notices", "certificate_signed_by",
                       "certificate_issued_at", "certificate_sha256", "certificate",
                       "recorded_by"]  # fmt: skip

    def get_fields(self, request, obj=None):
        return EndChoiceForm.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [*EndChoiceForm.Meta.fields, *self.readonly_fields] if obj else []

    def has_change_permission(self, request, obj=None) -> bool:
        # The steps are actions; the record itself is never edited by hand.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("Files"))
    def files(self, obj: Offboarding) -> str:
        links = []
        if obj.export:
            links.append(("clinics_admin:offboarding_export", _("export")))
        if obj.certificate:
            links.append(("clinics_admin:offboarding_certificate", _("certificate")))
        if not links:
            return "-"
        return format_html(
            " ".join('<a href="{}">{}</a>' for _link in links),
            *[
                part
                for name, label in links
                for part in (reverse(name, args=[obj.public_id]), label)
            ],
        )

    def _step(self, request, queryset, run) -> None:
        for record in queryset:
            try:
                run(record)
            except offboarding.OffboardingRefused as refused:
                self.message_user(request, f"{record.clinic}: {refused}", messages.ERROR)
            else:
                self.message_user(request, f"{record.clinic}: {_('done')}", messages.SUCCESS)

    @admin.action(description=_("Make the export to return (ZIP)"), permissions=["change"])
    def make_export(self, request, queryset):
        actor = actor_of(request.user)
        self._step(
            request, queryset, lambda r: offboarding.export_clinic_data(offboarding=r, actor=actor)
        )

    @admin.action(description=_("Delete the clinic's data, here and at the processors"),
                  permissions=["change"])  # fmt: skip
    def delete_data(self, request, queryset):
        actor = actor_of(request.user)
        self._step(
            request, queryset, lambda r: offboarding.delete_clinic_data(offboarding=r, actor=actor)
        )

    @admin.action(
        description=_("Issue the deletion certificate, signed by me"), permissions=["change"]
    )
    def issue_certificate(self, request, queryset):
        signer = actor_of(request.user)
        self._step(
            request,
            queryset,
            lambda r: offboarding.issue_deletion_certificate(offboarding=r, signer=signer),
        )
