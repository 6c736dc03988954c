"""Which clinics' leads a staff member may see, asked by the leads' admin and answered by the
clinics app (GDPR Art. 28(3)(b), 29, 32(4); checklist CL-02).

The rule is the clinics app's (clinics.selectors.clinic_data_visible_to), and the clinics app sits
above the leads (docs/overview.md, "The layers": a clinic enquiry is a lead), so the leads do not
import it: the clinics app registers its rule here when it is ready (clinics.apps). Asked before
anyone answered, it raises: a missing rule must never show every clinic's leads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_rules: dict[str, Callable[..., Any]] = {}


def answer_with(*, rows_visible_to: Callable[..., Any], clinics_visible_to: Callable[..., Any]):
    """Register the clinics app's rule (clinics.apps)."""
    _rules.update(rows_visible_to=rows_visible_to, clinics_visible_to=clinics_visible_to)


def _rule(name: str) -> Callable[..., Any]:
    try:
        return _rules[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"Nobody answers leads.clinic_scope.{name}: the clinics app registers its rule when "
            "it is ready (clinics.apps)."
        ) from None


def rows_visible_to(user, *, clinic_path: str = "clinic"):
    """A Q keeping the rows `user` may see, for a model that reaches its clinic through
    `clinic_path` (clinics.selectors.clinic_data_visible_to)."""
    return _rule("rows_visible_to")(user, clinic_path=clinic_path)


def clinics_visible_to(user):
    """The clinics whose data `user` may see (clinics.selectors.clinics_visible_to)."""
    return _rule("clinics_visible_to")(user)
