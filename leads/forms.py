"""The contact form and the information request form: only the declared fields (EM-02)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from declaration.selectors import age_of_consent, get_declaration
from wekst.validators import validate_phone, validate_single_line

# A field no person sees or fills in (hidden from view and from screen readers); a bot that
# fills every input fills this one too (LEA-04, no third party involved).
HONEYPOT_FIELD = "website"

MESSAGE_MAX_LENGTH = 5000


def marketing_consent_wording() -> str:
    """The exact words of the marketing choice, naming the channel and the sender (EM-03)."""
    controller = get_declaration().controller
    return str(
        _(
            "Yes, I would also like to receive the newsletter and other marketing emails from "
            "%(controller)s (%(trading_name)s). I can unsubscribe at any time with one click."
        )
        % {"controller": controller.legal_name, "trading_name": controller.trading_name}
    )


class LeadForm(forms.Form):
    """Name, email, phone, company/clinic, role, message; marketing consent apart and unticked."""

    name = forms.CharField(
        label=_("Name"), max_length=200, validators=[validate_single_line], strip=True
    )
    email = forms.EmailField(label=_("Email address"), max_length=254)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        validators=[validate_single_line, validate_phone],
    )
    company = forms.CharField(
        label=_("Company or clinic"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
    )
    role = forms.CharField(
        label=_("Your role"), max_length=100, required=False, validators=[validate_single_line]
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Please do not include information about patients or anyone's health: we do not "
            "need it to answer you."
        ),
    )
    marketing_consent = forms.BooleanField(required=False, initial=False)
    # Marketing consent is a consent-based sign-up: only with the age confirmation of policy §12
    # (GDPR Art. 8; CHI-01). The enquiry itself needs none.
    age_confirmed = forms.BooleanField(required=False, initial=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["marketing_consent"].label = marketing_consent_wording()
        self.fields["age_confirmed"].label = _(
            "I am %(age)s or older (needed only for marketing emails)"
        ) % {"age": age_of_consent()}
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["phone"].widget.input_type = "tel"
        self.fields["company"].widget.attrs["autocomplete"] = "organization"
        self.fields["role"].widget.attrs["autocomplete"] = "organization-title"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("marketing_consent") and not cleaned.get("age_confirmed"):
            self.add_error(
                "age_confirmed",
                ValidationError(
                    _(
                        "To receive marketing emails you must be %(age)s or older: tick this "
                        "box, or untick the marketing choice to send only your message."
                    )
                    % {"age": age_of_consent()},
                    code="age",
                ),
            )
        return cleaned

    def clean_message(self) -> str:
        # Keep line breaks, refuse other control characters (they only hide text from staff).
        message = self.cleaned_data["message"].replace("\r\n", "\n")
        if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", message):
            raise ValidationError(
                _("The message contains characters that cannot be stored; please remove them."),
                code="control_character",
            )
        return message


class InformationRequestForm(LeadForm):
    """Only the email address is needed to send information; the rest is optional."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["message"].label = _("What would you like to receive?")
