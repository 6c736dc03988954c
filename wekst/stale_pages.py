"""A back-office page saved after someone else changed the same record (SEC-01).

Django's change page writes every field it shows, so a page opened before a colleague's save
and saved after it would write back what the page was opened with: the colleague's change lost
without a word. Each change page therefore carries what its fields held when it was opened
(`OPENED_AS`, a short digest per field, not the values). On save, the record is read again
under a lock, in the save's own transaction; if a field has changed since, nothing is saved and
the page says which fields changed and what they hold now, keeping what the member of staff
typed. Saving again keeps their version: the page then carries what the record holds now.

A post without `OPENED_AS` (a client other than the page) is saved as Django saves it. Inline
rows (a breach's people affected and the like) are not compared.
"""

import datetime
import decimal
import hashlib
import json
import uuid

from django import forms
from django.db import models
from django.forms.models import model_to_dict
from django.utils import formats, timezone
from django.utils.translation import gettext as _

OPENED_AS = "_opened_as"
_SHOWN_AT_MOST = 200


def opened_as(form: forms.ModelForm, record: models.Model) -> str:
    """What the page's fields hold in `record`, as the page carries it."""
    return json.dumps(_digests(record, _compared(form)), separators=(",", ":"), sort_keys=True)


class StalePageCheck:
    """Mixed into a back-office ModelForm: its clean() refuses a save over a change made after
    the page was opened (wekst.admin_guards.GuardedModelAdmin mixes it into every change page)."""

    # What the page carries after a refusal: the record as it is now (None: as posted).
    now_opened_as: str | None = None

    def clean(self):
        posted = self.data.get(OPENED_AS)
        if (
            posted is not None
            and not self.instance._state.adding
            and self._refused_as_changed_since(posted)
        ):
            # The form's own checks may act (a service form runs its service last): not on a
            # page that would overwrite a colleague's change.
            return self.cleaned_data
        return super().clean()

    def _refused_as_changed_since(self, posted: str) -> bool:
        """Whether the record changed since the page was opened (or cannot be told): then the
        form has the errors that say so."""
        model = type(self.instance)
        # Locked until the save commits: no other save comes between this look and the write.
        now = model._base_manager.select_for_update().filter(pk=self.instance.pk).first()
        if now is None:
            self.add_error(None, _("Someone deleted this record after you opened this page."))
            return True
        names = _compared(self)
        current = _digests(now, names)
        self.now_opened_as = json.dumps(current, separators=(",", ":"), sort_keys=True)
        try:
            then = json.loads(posted)
        except ValueError:
            then = None
        if not isinstance(then, dict):
            self.add_error(
                None,
                _(
                    "This page could not be compared with the record: nothing was saved. "
                    "Check the fields, then save again."
                ),
            )
            return True
        changed = [name for name in names if name in then and then[name] != current[name]]
        if not changed:
            return False
        self.add_error(
            None,
            _(
                "Someone else saved this record after you opened this page: nothing was saved. "
                "The fields marked below have changed since. Check them, then save again to "
                "keep what you typed."
            ),
        )
        for name in changed:
            self.add_error(
                name,
                _("Changed since you opened this page. It now holds: %(value)s")
                % {"value": _shown(now, name)},
            )
        return True


def _compared(form: forms.ModelForm) -> list[str]:
    """The page's fields that are fields of the record (not extra fields of the form)."""
    editable = {
        f.name for f in form._meta.model._meta.get_fields() if getattr(f, "editable", False)
    }
    return sorted(name for name in form.fields if name in editable)


def _digests(record: models.Model, names: list[str]) -> dict[str, str]:
    values = model_to_dict(record, fields=names)
    return {
        name: hashlib.sha256(_canonical(values.get(name)).encode()).hexdigest()[:16]
        for name in names
    }


def _canonical(value) -> str:
    if isinstance(value, list | tuple):  # the records a many-to-many field points at
        return json.dumps(sorted(_canonical(item) for item in value))
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.datetime | datetime.time):
        # A page shows and posts times to the second: a save of an unchanged time drops the
        # fraction, which is no change anyone made.
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date | decimal.Decimal | uuid.UUID):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


def _shown(record: models.Model, name: str) -> str:
    """The field's value now, as staff read it (a choice's label, a linked record's name)."""
    field = record._meta.get_field(name)
    if field.many_to_many:
        value = ", ".join(str(item) for item in getattr(record, name).all())
    elif field.choices:
        value = getattr(record, f"get_{name}_display")()
    else:
        value = getattr(record, name)
    if isinstance(value, datetime.datetime):
        value = timezone.template_localtime(value.replace(microsecond=0))
    text = "" if value is None else str(formats.localize(value))
    if not text:
        return _("(empty)")
    return text if len(text) <= _SHOWN_AT_MOST else text[: _SHOWN_AT_MOST - 1] + "…"
