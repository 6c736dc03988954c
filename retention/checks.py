"""System checks that keep the declaration's retention rules and the registry in step (RET-01).

A rule the declaration promises but nothing enforces, an entry enforcing a rule nobody declared,
or an entry naming a model or field that is gone fails `manage.py check` and the test suite.
"""

from django.core import checks
from django.core.exceptions import FieldDoesNotExist

from declaration.selectors import get_declaration
from retention.registry import REGISTRY, Sweep


@checks.register()
def check_retention_registry(app_configs=None, *, registry=None, declaration=None, **kwargs):
    """Every declared retention rule against the registry (`registry`/`declaration` for tests)."""
    registry = REGISTRY if registry is None else registry
    declaration = get_declaration() if declaration is None else declaration
    rules = declaration.retention_rules
    registered = {entry.rule for entry in registry}
    messages = [
        checks.Error(
            f"Retention rule {key!r} is declared but the retention registry has no entry for it.",
            hint="Add a Sweep (or an Elsewhere saying what keeps it) to retention/registry.py.",
            id="retention.E001",
        )
        for key in rules
        if key not in registered
    ]
    messages += [
        checks.Error(
            f"The retention registry has an entry for rule {key!r}, which is not declared.",
            hint="Declare the rule in declaration.yaml's retention_rules, or remove the entry.",
            id="retention.E002",
        )
        for key in sorted(registered - set(rules))
    ]
    for entry in registry:
        if isinstance(entry, Sweep):
            messages += _check_sweep(entry, rules.get(entry.rule))
    return messages


def _check_sweep(entry: Sweep, rule) -> list[checks.CheckMessage]:
    where = f"Retention registry entry {entry.rule!r} ({entry.model})"
    if rule is not None and rule.period is None:
        return [
            checks.Error(
                f"{where} sweeps by time, but the rule declares no period.",
                hint="Give the rule a period and unit, or make the entry an Elsewhere.",
                id="retention.E003",
            )
        ]
    try:
        model = entry.model_class()
    except LookupError:
        return [checks.Error(f"{where}: no such model.", id="retention.E004")]
    fields = [entry.clock, *entry.clear_fields]
    if entry.subject_path not in (None, "pk"):
        fields.append(entry.subject_path)
    problems = []
    for name in fields:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            problems.append(
                checks.Error(f"{where}: the model has no field {name!r}.", id="retention.E004")
            )
    return problems
