"""Back office of the disclosure log: the privacy officer records each disclosure of a person's
data to a public authority or a professional adviser (policy §5; RG-06)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from audit.admin import AuditedModelAdmin
from audit.services import actor_of
from declaration.selectors import data_category_name, get_declaration
from processors.disclosures import check_disclosure, disclosure_recipients, record_disclosure
from processors.models import Disclosure
from subjects.selectors import find_subjects

RECORD_FIELDS = [
    "public_id",
    "subject",
    "recipient",
    "recipient_role",
    "recipient_name",
    "data_category_names",
    "disclosed_on",
    "legal_provision",
    "request_reference",
    "adviser_purpose",
    "recorded_at",
]


class DisclosureForm(forms.ModelForm):
    """The person by the address or phone number we hold for them; the recipient and the data
    from the declaration; why (the law for an authority, the purpose for an adviser)."""

    person = forms.CharField(
        label="The person (email address or phone number)",
        max_length=254,
        help_text="As in our records: the person must already be in the subject index.",
    )
    recipient = forms.ChoiceField(label="Recipient, as named in our privacy policy")
    data_categories = forms.MultipleChoiceField(
        label="Data disclosed", widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Disclosure
        fields = [
            "recipient_name",
            "disclosed_on",
            "legal_provision",
            "request_reference",
            "adviser_purpose",
        ]
        widgets = {"disclosed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        declaration = get_declaration()
        self.fields["recipient"].choices = [("", "---------")] + [
            (r.key, f"{r.name} ({r.role})") for r in disclosure_recipients()
        ]
        self.fields["data_categories"].choices = [
            (key, str(category.name)) for key, category in declaration.data_categories.items()
        ]

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("person", "")
        subjects = list(find_subjects(email=person)) if "@" in person else []
        if "@" not in person:
            subjects = list(find_subjects(phone=person))
        if len(subjects) > 1:
            self.add_error("person", "More than one person has this phone number: use the email.")
        elif not subjects:
            self.add_error("person", "No one in our records has this email address or phone.")
        else:
            self.instance.subject = subjects[0]
        # The instance is built from the form only after clean(): check what was typed.
        for name in self._meta.fields:
            setattr(self.instance, name, cleaned.get(name, getattr(self.instance, name)))
        self.instance.recipient = cleaned.get("recipient", "")
        self.instance.data_categories = cleaned.get("data_categories", [])
        try:
            check_disclosure(self.instance)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    if field not in self.errors or message not in self.errors[field]:
                        self.add_error(field if field in self.fields else None, message)
        return cleaned


@admin.register(Disclosure)
class DisclosureAdmin(AuditedModelAdmin):
    """The disclosure log. A record is evidence: it is never edited; a mistaken one may be
    deleted (audited), and the retention sweep deletes the others after their period."""

    list_display = ["recipient_name", "recipient", "disclosed_on", "legal_provision", "subject"]
    list_filter = ["recipient_role", "recipient"]
    search_fields = ["recipient_name", "legal_provision", "request_reference"]
    date_hierarchy = "disclosed_on"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = DisclosureForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["person", "recipient", "recipient_name", "data_categories", "disclosed_on"] + [
                "legal_provision",
                "request_reference",
                "adviser_purpose",
            ]
        return RECORD_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return RECORD_FIELDS if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="data categories")
    def data_category_names(self, obj: Disclosure) -> str:
        """The categories disclosed, as the policy names them."""
        return ", ".join(data_category_name(key) for key in obj.data_categories) or "-"

    def save_model(self, request, obj, form, change):
        # Recorded (and audited) by the service, which checks it again in its transaction.
        data = form.cleaned_data
        saved = record_disclosure(
            subject=obj.subject,
            recipient=data["recipient"],
            recipient_name=data["recipient_name"],
            data_categories=data["data_categories"],
            disclosed_on=data["disclosed_on"],
            legal_provision=data.get("legal_provision", ""),
            request_reference=data.get("request_reference", ""),
            adviser_purpose=data.get("adviser_purpose", ""),
            actor=actor_of(request.user),
        )
        obj.pk, obj.public_id, obj.recorded_at = saved.pk, saved.public_id, saved.recorded_at
        obj.recipient_role = saved.recipient_role
