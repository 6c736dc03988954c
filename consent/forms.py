"""The consent decision as posted by the banner's form (with or without JavaScript)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.models import ConsentDecision
from consent.state import Choices

TICKED = [("1", "1"), ("on", "on")]


def _tick() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=TICKED,
        coerce=bool,
        empty_value=False,
        required=False,
        error_messages={"invalid_choice": _("A ticked box is sent as 1 or on, or left out.")},
    )


class DecisionForm(forms.Form):
    choice = forms.ChoiceField(
        choices=ConsentDecision.Action.choices,
        error_messages={
            "required": _("Say which button was pressed: accept_all, reject_all or choose."),
            "invalid_choice": _("choice must be accept_all, reject_all or choose."),
        },
    )
    analytics = _tick()
    marketing = _tick()
    embedded = _tick()
    method = forms.ChoiceField(
        choices=ConsentDecision.Method.choices,
        required=False,
        error_messages={"invalid_choice": _("method must be banner or settings.")},
    )
    gpc = forms.ChoiceField(
        choices=[("1", "1"), ("0", "0")],
        required=False,
        error_messages={"invalid_choice": _("gpc must be 1 or left out.")},
    )
    next = forms.CharField(required=False)  # checked where it is used (views._back)

    def chosen(self) -> Choices:
        data = self.cleaned_data
        return Choices(
            analytics=data["analytics"], marketing=data["marketing"], embedded=data["embedded"]
        )
