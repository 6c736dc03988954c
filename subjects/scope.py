"""Which people a staff member may see in the subject index and the rights tools, asked by those
tools and answered by the clinics app (GDPR Art. 28(3)(b), 29, 32(4); checklist CL-02).

A staff member assigned to one clinic sees only that clinic's people; the rule is the clinics
app's (clinics.selectors.subjects_visible_to), and the clinics app sits above the subject index
(docs/overview.md, "The layers"), so it registers its rule here when it is ready (clinics.apps).
Asked before anyone answered, it raises: a missing rule must never show everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_rules: dict[str, Callable[..., Any]] = {}


def answer_with(
    *, subjects_visible_to: Callable[..., Any], works_for_a_clinic: Callable[..., bool]
) -> None:
    """Register the clinics app's rule (clinics.apps)."""
    _rules.update(subjects_visible_to=subjects_visible_to, works_for_a_clinic=works_for_a_clinic)


def _rule(name: str) -> Callable[..., Any]:
    try:
        return _rules[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"Nobody answers subjects.scope.{name}: the clinics app registers its rule when it "
            "is ready (clinics.apps)."
        ) from None


def subjects_visible_to(user):
    """The subjects `user` may see: None (no limit) for staff who see every clinic, else a
    queryset of Subject: the people of their own clinics for staff assigned to clinics, nobody
    for anyone else."""
    return _rule("subjects_visible_to")(user)


def works_for_a_clinic(user) -> bool:
    """Whether `user` is assigned to at least one clinic, and so reaches the subject index and
    the rights tools for that clinic's people even without the role that sees everyone."""
    return _rule("works_for_a_clinic")(user)
