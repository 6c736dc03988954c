"""The DPIA form of the back office: the processing an assessment covers is ticked from the
declaration's entries, named as the declaration names them (CL-06)."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from assessments.models import DPIA
from declaration.selectors import get_declaration, processing_name

# The headings the entries are grouped under, by the section that declares them; an entry of a
# section not named here is still offered, under the section's key.
SECTIONS = {
    "activities": _("Wekst's own processing activities"),
    "clinic_processing": _("Processing for clinics, as their processor"),
}


class DPIAForm(forms.ModelForm):
    """Stores `processing_covered` as before: the ticked entries' keys, a list of text."""

    processing_covered = forms.MultipleChoiceField(
        label=capfirst(DPIA._meta.get_field("processing_covered").verbose_name),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The declaration's entries this assessment covers. An entry the declaration no "
            "longer lists stays covered until you untick it."
        ),
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not one of the declaration's entries: tick the entries listed."
            )
        },
    )

    class Meta:
        model = DPIA
        fields = ["processing_covered"]  # the admin adds the others of its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["processing_covered"].choices = self._covered_choices()

    def _covered_choices(self) -> list:
        """The declared entries by section, in the page's language; then the entries this
        assessment covered that the declaration has since dropped, so that saving the form
        never drops one unseen: staff untick it, or keep it."""
        declared = get_declaration().processing_entries()
        groups: dict[str, list[tuple[str, str]]] = {}
        for entry in declared:
            section = entry.split(".", 1)[0]
            groups.setdefault(section, []).append((entry, str(declared[entry].name)))
        choices: list = [
            (str(SECTIONS.get(section, section)), entries) for section, entries in groups.items()
        ]
        stored = self.instance.processing_covered
        if isinstance(stored, list):
            dropped = [e for e in stored if isinstance(e, str) and e not in declared]
            choices += [(e, processing_name(e)) for e in dict.fromkeys(dropped)]
        return choices
