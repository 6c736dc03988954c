"""The consent decision as the banner's form posts it (with or without JavaScript).

Read with a plain function, not a Django form: the consent endpoint is the site's busiest write,
and a Form instance copies its fields for every request, which cost more than reading these few
fixed values (docs/benchmarks.md, "Profiling, and what was changed").
"""

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from consent.models import ConsentDecision
from consent.selectors import CATEGORIES
from consent.state import Choices

TICKED = ("1", "on")
# Built once: a model's Choices.values is a new list at each call.
ACTIONS = frozenset(ConsentDecision.Action.values)
METHODS = frozenset(ConsentDecision.Method.values)


@dataclass(frozen=True)
class Decision:
    """A well-formed decision: the button pressed, the boxes ticked, where it was made."""

    action: str
    chosen: Choices
    method: str
    gpc: bool  # the page's own report of a Global Privacy Control signal (consent.js)


class InvalidDecision(ValueError):
    """The post could not be read as a decision; `errors` says why, per field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def parse_decision(data: QueryDict) -> Decision:
    """The decision in a posted form, or InvalidDecision naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    action = data.get("choice", "")
    if not action:
        errors["choice"] = [_("Say which button was pressed: accept_all, reject_all or choose.")]
    elif action not in ACTIONS:
        errors["choice"] = [_("choice must be accept_all, reject_all or choose.")]
    ticked = {}
    for category in CATEGORIES:
        value = data.get(category, "")
        if value and value not in TICKED:
            errors[category] = [_("A ticked box is sent as 1 or on, or left out.")]
        ticked[category] = value in TICKED
    method = data.get("method", "") or ConsentDecision.Method.BANNER
    if method not in METHODS:
        errors["method"] = [_("method must be banner or settings.")]
    gpc = data.get("gpc", "")
    if gpc not in ("", "0", "1"):
        errors["gpc"] = [_("gpc must be 1 or left out.")]
    if errors:
        raise InvalidDecision(errors)
    return Decision(action=action, chosen=Choices(**ticked), method=method, gpc=gpc == "1")
