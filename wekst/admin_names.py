"""What the back office shows for a stored value: the name staff read ("The contact form",
"English"), never the code's key ("contact_form", "en"), in lists, filters and pages (SEC-04)."""

from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.utils.text import capfirst


def language_name(code: str) -> str:
    """A site language by its name ("English", "Norwegian Bokmål"); another code as it is."""
    return str(dict(settings.LANGUAGES).get(code, code)) if code else "-"


def records_name(label: str, *, plural: bool = True) -> str:
    """A model's label ("leads.Lead"), as records store it, by the name the back office gives
    the model ("Leads", "Lead"); a label of no model (one since removed) as it is."""
    try:
        opts = apps.get_model(label)._meta
    except (LookupError, ValueError):
        return label
    return capfirst(opts.verbose_name_plural if plural else opts.verbose_name)


class NamedValuesFilter(admin.AllValuesFieldListFilter):
    """Django's filter on every stored value, with each value shown as `name_of` names it; the
    address keeps the stored value, so links to a filtered list are unchanged."""

    name_of: Callable[[str], str] = str

    def choices(self, changelist):
        values = iter(str(value) for value in self.lookup_choices if value is not None)
        for position, choice in enumerate(super().choices(changelist)):
            value = next(values, None) if position else None
            if value is not None and choice["display"].startswith(value):
                shown = self.name_of(value) + choice["display"][len(value) :]
                choice = {**choice, "display": shown}
            yield choice


def named_values(name_of: Callable[[str], str]) -> type[NamedValuesFilter]:
    """The filter for a field whose values `name_of` names: `("purpose", named_values(f))`."""
    return type(
        f"NamedValuesFilter_{name_of.__name__}",
        (NamedValuesFilter,),
        {"name_of": staticmethod(name_of)},
    )
