"""The privacy portal's form, and the back office's forms for requests received by staff."""

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rights.models import Objection, Request
from rights.processing import objectable_activities
from wekst.validators import validate_phone, validate_single_line, validate_text

DETAILS_MAX_LENGTH = 5000

# A GA4 client id: two numbers joined by a dot (the end of the `_ga` cookie, "GA1.1.<id>").
_CLIENT_ID = re.compile(r"^\d{1,20}\.\d{1,20}$")


def validate_consent_id(value: str) -> None:
    try:
        uuid.UUID(value)
    except ValueError:
        raise ValidationError(
            _("A consent id looks like 3f2b8c1e-4a5d-4e6f-9a0b-1c2d3e4f5a6b."), code="consent_id"
        ) from None


def validate_client_id(value: str) -> None:
    if not _CLIENT_ID.match(value):
        raise ValidationError(
            _(
                "A Google Analytics client id is two numbers joined by a dot, e.g. 1234567.1700000000."
            ),
            code="client_id",
        )


def analytics_client_id_from_cookie(value: str | None) -> str:
    """The client id in a `_ga` cookie value ("GA1.1.1234567.1700000000"), or ""."""
    if not value:
        return ""
    parts = value.split(".")
    candidate = ".".join(parts[-2:]) if len(parts) >= 4 else ""
    return candidate if _CLIENT_ID.match(candidate) else ""


class RequestDetailsForm(forms.Form):
    """What every request may carry besides its kind and address."""

    details = forms.CharField(
        label=_("Anything you would like to add"),
        max_length=DETAILS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[validate_text],
        help_text=_(
            "For example what should be corrected, or which processing you object to. Please do "
            "not include information about your health."
        ),
    )
    name = forms.CharField(
        label=_("Correct name"), max_length=200, required=False, validators=[validate_single_line]
    )
    phone = forms.CharField(
        label=_("Correct phone number"),
        max_length=32,
        required=False,
        validators=[validate_single_line, validate_phone],
    )
    company = forms.CharField(
        label=_("Correct company or clinic"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
    )
    role = forms.CharField(
        label=_("Correct role"), max_length=100, required=False, validators=[validate_single_line]
    )
    clinic_name = forms.CharField(
        label=_("Clinic"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
        help_text=_(
            "Only if your request is about data we process for a clinic, as its patient or "
            "customer: the clinic decides about that data, and we pass your request to it."
        ),
    )
    clinic_email = forms.EmailField(label=_("The clinic's email address"), required=False)
    activities = forms.MultipleChoiceField(
        label=_("Which use of your data do you object to?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only to object to a processing based on our legitimate interests. We stop it for "
            "you unless we have compelling grounds, which we would send you first."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # From the declaration, in the page's language: what we do, and the interest we rely on.
        self.fields["activities"].choices = [
            (activity.key, f"{activity.name}: {activity.legitimate_interest}")
            for activity in objectable_activities()
        ]

    def clean_details(self) -> str:
        # Stored with the line breaks staff read, not the CRLF a browser sends for a textarea.
        return self.cleaned_data["details"].replace("\r\n", "\n")

    def clean(self):
        data = super().clean()
        if data.get("kind") == Request.Kind.RECTIFICATION and not (
            data.get("details") or any(data.get(f) for f in ("name", "phone", "company", "role"))
        ):
            raise ValidationError(
                _("Please tell us what should be corrected."), code="nothing_to_correct"
            )
        if data.get("kind") == Request.Kind.OBJECTION_LI and not data.get("activities"):
            self.add_error("activities", _("Please choose which processing you object to."))
        return data

    def corrections(self) -> dict[str, str]:
        if self.cleaned_data.get("kind") != Request.Kind.RECTIFICATION:
            return {}
        return {
            name: self.cleaned_data[name]
            for name in ("name", "phone", "company", "role")
            if self.cleaned_data.get(name)
        }


class PortalForm(RequestDetailsForm):
    """The public form (RIG-01): no account; the email address is verified by a link."""

    kind = forms.ChoiceField(
        label=_("What would you like us to do?"),
        choices=Request.Kind.choices,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send a link to this address to confirm that it is yours."),
    )
    # Read from this browser's cookies when the form is shown, and carried as hidden fields: the
    # person is told in one line what they are and may leave them out (never typed by hand).
    consent_id = forms.CharField(
        label=_("Cookie consent id"),
        required=False,
        max_length=36,
        validators=[validate_consent_id],
        widget=forms.HiddenInput,
    )
    analytics_client_id = forms.CharField(
        label=_("Google Analytics client id"),
        required=False,
        max_length=41,
        validators=[validate_client_id],
        widget=forms.HiddenInput,
    )
    # Unticked by default: including them is what serves the person (their cookie choices are
    # part of the answer, an erasure reaches Google Analytics); absent from a post means include.
    leave_out_browser = forms.BooleanField(label=_("Leave these out"), required=False)

    field_order = ["kind", "email", "activities"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget = forms.HiddenInput()
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["phone"].widget.input_type = "tel"

    def clean(self):
        data = super().clean()
        if data.get("leave_out_browser"):
            data["consent_id"] = data["analytics_client_id"] = ""
        return data

    def fields_for_right(self, kind: str) -> list:
        """Only the fields this right needs, in the order shown (the rest are not rendered)."""
        names = RIGHT_FIELDS.get(kind, ("details",))
        return [self[name] for name in ("email", *names)]


# What each right asks for besides the address: the portal shows only these.
RIGHT_FIELDS = {
    Request.Kind.RECTIFICATION: ("name", "phone", "company", "role", "details"),
    Request.Kind.OBJECTION_LI: ("activities", "details"),
}

# The rights in a lay person's words, as the portal's first step offers them.
RIGHT_CHOICES = [
    (
        Request.Kind.ACCESS,
        _("See what you hold about me"),
        _("A copy of everything we hold about you: why, who receives it and how long we keep it."),
    ),
    (
        Request.Kind.RECTIFICATION,
        _("Correct something"),
        _("Your name, phone number, company or role, or anything else that is wrong."),
    ),
    (
        Request.Kind.ERASURE,
        _("Delete my data"),
        _("We erase what we hold about you, except what the law makes us keep, and tell you why."),
    ),
    (
        Request.Kind.RESTRICTION,
        _("Stop using my data for a while"),
        _("We keep your data but do not use it, for example while a correction is checked."),
    ),
    (
        Request.Kind.OBJECTION,
        _("Stop marketing and profiling"),
        _("No more marketing emails, and no profiling for marketing. Always granted."),
    ),
    (
        Request.Kind.OBJECTION_LI,
        _("Object to another use of my data"),
        _(
            "A use we base on our legitimate interests: we stop it unless we have compelling grounds."
        ),
    ),
    (
        Request.Kind.PORTABILITY,
        _("Get my data to take elsewhere"),
        _("Your data as files (JSON and CSV) that another service can read."),
    ),
    (
        Request.Kind.WITHDRAWAL,
        _("Withdraw my consent"),
        _("For example to our newsletter or to analytics cookies."),
    ),
]


class StaffRequestForm(RequestDetailsForm):
    """A request received by email, letter or phone, entered by staff (checklist RG-01, RG-02)."""

    kind = forms.ChoiceField(label="Kind", choices=Request.Kind.choices)
    email = forms.EmailField(
        label="The person's email address",
        max_length=254,
        help_text="Where the answer goes. For a letter without one, ask the person for it.",
    )
    received_via = forms.ChoiceField(
        label="Received by",
        choices=[
            (value, label)
            for value, label in Request.ReceivedVia.choices
            if value in ("email", "letter", "phone")
        ],
    )
    identity_check = forms.CharField(
        label="How identity was checked",
        max_length=300,
        validators=[validate_single_line],
        help_text="E.g. 'Sent from the address on record' or 'Called back on the number on "
        "record'. Do not copy ID documents (checklist RG-02).",
    )

    field_order = ["kind", "email", "received_via", "identity_check"]


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Extend by",
        choices=[(1, "1 month"), (2, "2 months")],
        coerce=int,
    )
    reason = forms.CharField(
        label="Reason (sent to the person)",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Art. 12(3): only for complex or numerous requests.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RefuseForm(forms.Form):
    """Art. 12(4)-(5): a refusal needs its ground and the reasons, both sent to the person."""

    ground = forms.ChoiceField(
        label="Ground",
        choices=Request.RefusalGround.choices,
        widget=forms.RadioSelect,
        help_text="Manifestly unfounded or excessive: we must be able to show it (Art. 12(5)).",
    )
    reason = forms.CharField(
        label="Reasons (sent to the person)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="E.g. 'The same request was answered on 3 November; nothing has changed since.' "
        "The email adds the right to complain to Datatilsynet and to go to court.",
    )


class GroundsForm(forms.Form):
    """Art. 21(1): why the processing should continue despite the objection."""

    ground = forms.ChoiceField(
        label="Ground", choices=Objection.Ground.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="The grounds in full (sent to the person once reviewed)",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say why they override this person's interests, rights and freedoms in their "
        "particular situation, not only why the processing is useful.",
    )


class ReviewForm(forms.Form):
    decision = forms.TypedChoiceField(
        label="Decision",
        choices=[
            ("1", "Uphold the grounds: the processing resumes and the person is sent the decision"),
            ("0", "Do not uphold them: the objection stays in force"),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note for the audit log (not sent)", max_length=300, required=False
    )
