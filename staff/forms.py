"""The two steps of the staff sign-in: password, then a one-time code."""

import math

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


def lockout_error(seconds: float) -> ValidationError:
    minutes = max(math.ceil(seconds / 60), 1)
    return ValidationError(
        ngettext(
            "Too many failed sign-ins. Please try again in %(minutes)d minute.",
            "Too many failed sign-ins. Please try again in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
        code="locked_out",
    )


class PasswordForm(AdminAuthenticationForm):
    """The admin's username and password form, refusing at once while a lock-out lasts.

    While locked out the password is not even checked, so guessing on goes nowhere.
    """

    def __init__(self, *args, locked_for: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked_for = locked_for

    def clean(self):
        if self.locked_for:
            raise lockout_error(self.locked_for)
        return super().clean()


class CodeForm(forms.Form):
    """The six-digit code from the authenticator app."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, locked_for: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked_for = locked_for

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise ValidationError(_("The code has digits only."), code="not_digits")
        return token

    def clean(self):
        if self.locked_for:
            raise lockout_error(self.locked_for)
        return super().clean()
