"""The newsletter sign-up form: an address, an optional name, the age confirmation, a honeypot."""

from django import forms
from django.utils.translation import gettext_lazy as _

from declaration.selectors import age_of_consent
from wekst.validators import validate_single_line

# The exact consent wording shown above the button; stored with each sign-up as its proof.
CONSENT_WORDING = _(
    "Yes, send me the Wekst newsletter and other marketing emails from Harwest AS by email. "
    "I can unsubscribe at any time with one click."
)


class SignupForm(forms.Form):
    consent_wording = CONSENT_WORDING

    email = forms.EmailField(label=_("Email address"), max_length=254)
    name = forms.CharField(
        label=_("Name"), max_length=100, required=False, validators=[validate_single_line]
    )
    age_confirmed = forms.BooleanField(required=True)
    # The honeypot: hidden from people (and screen readers), filled in by simple bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        age = age_of_consent()
        field = self.fields["age_confirmed"]
        field.label = _("I am %(age)s or older") % {"age": age}
        # Policy §12 and GDPR Art. 8: younger people cannot consent on their own; nothing of
        # theirs is stored.
        field.error_messages["required"] = _(
            "You must be %(age)s or older to subscribe. Nothing you entered has been stored."
        ) % {"age": age}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                _(
                    "Your sign-up looked automated, so it was not sent. If you are a person, "
                    "leave the last field empty and try again."
                ),
                code="honeypot",
            )
        return cleaned
