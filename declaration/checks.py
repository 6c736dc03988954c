"""System checks that keep code and declaration from drifting apart (conformance item DEC-04).

Every field of every installed model must be classified in the declaration's
`personal_data_fields`: with the data category it holds, or `none`. A new field, a new model or
an upgraded library that adds one fails `manage.py check` and the test suite until someone
decides what it holds; the classification is then in the records of processing for auditors.
"""

from collections.abc import Iterable

from django.apps import apps
from django.core import checks
from django.db import models

from declaration.policy import COUNTRY_NAMES
from declaration.schema import Declaration
from declaration.selectors import get_declaration


def model_label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.object_name}"


def stored_fields(model: type[models.Model]) -> list[str]:
    """The fields a model stores itself (columns and many-to-many), not reverse relations."""
    return [
        field.name
        for field in model._meta.get_fields()
        if field.concrete or (field.many_to_many and not field.auto_created)
    ]


def find_undeclared_fields(
    declaration: Declaration, model_list: Iterable[type[models.Model]]
) -> list[str]:
    """`app.Model.field` for every stored field the declaration does not classify."""
    missing = []
    for model in model_list:
        declared = declaration.personal_data_fields.get(model_label(model), {})
        missing += [
            f"{model_label(model)}.{name}" for name in stored_fields(model) if name not in declared
        ]
    return missing


def find_stale_fields(
    declaration: Declaration, model_list: Iterable[type[models.Model]]
) -> list[str]:
    """Declared `app.Model.field` entries that no installed model has any more."""
    present = {model_label(m): set(stored_fields(m)) for m in model_list}
    return [
        f"{label}.{name}"
        for label, fields in declaration.personal_data_fields.items()
        for name in fields
        if name not in present.get(label, ())
    ]


def installed_models() -> list[type[models.Model]]:
    # Auto-created many-to-many tables hold only two keys, already classified on their owner.
    return [model for model in apps.get_models() if not model._meta.auto_created]


@checks.register()
def check_personal_data_fields(
    app_configs=None,
    *,
    declaration: Declaration | None = None,
    model_list: Iterable[type[models.Model]] | None = None,
    **kwargs,
) -> list[checks.CheckMessage]:
    """Every installed model's fields against the declaration in force.

    `declaration` and `model_list` are for tests: Django passes neither, so `manage.py check`
    always compares every installed model with the declaration in force.
    """
    declaration = get_declaration() if declaration is None else declaration
    model_list = installed_models() if model_list is None else list(model_list)
    messages = [
        checks.Error(
            f"{name} is not classified in the declaration's personal_data_fields.",
            hint="Add it with the data category it holds, or `none` if it holds no personal data.",
            id="declaration.E001",
        )
        for name in find_undeclared_fields(declaration, model_list)
    ]
    messages += [
        checks.Error(
            f"{name} is classified in the declaration but no installed model has it.",
            hint="Remove it from personal_data_fields (or fix its name).",
            id="declaration.E002",
        )
        for name in find_stale_fields(declaration, model_list)
    ]
    return messages


@checks.register()
def check_country_names(app_configs=None, *, declaration: Declaration | None = None, **kwargs):
    """Every country a recipient names has a translated name, so no page prints a bare code or
    an English name on a Norwegian page (issue 16)."""
    declaration = get_declaration() if declaration is None else declaration
    return [
        checks.Error(
            f"recipients.{recipient.key}: country {code!r} has no name in "
            "declaration.policy.COUNTRY_NAMES.",
            hint="Add it there, translated (and its Norwegian name to the catalogue).",
            id="declaration.E003",
        )
        for recipient in declaration.recipients.values()
        for code in recipient.countries
        if code not in COUNTRY_NAMES
    ]
