"""What a person told us to stop (a restriction, an objection, an erasure), asked by the areas and
answered by the rights app (GDPR Art. 17, 18, 21; RG-14, RG-15, RIG-05).

The areas that ask (the newsletter, the leads' Art. 14 notices) sit below the rights app
(docs/overview.md, "The layers"), so they ask here and the rights app registers its answers when
it is ready (rights.apps). Asked before anyone answered, it raises: a missing answer must never
read as "nothing was stopped", which would mail a person who objected.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_answers: dict[str, Callable[..., Any]] = {}


def answer_with(
    *,
    restricted_subject_ids: Callable[[], Any],
    objection_in_force: Callable[..., bool],
    erased_before: Callable[..., bool],
) -> None:
    """Register the functions that answer the three questions below (the rights app does)."""
    _answers.update(
        restricted_subject_ids=restricted_subject_ids,
        objection_in_force=objection_in_force,
        erased_before=erased_before,
    )


def _answer(question: str) -> Callable[..., Any]:
    try:
        return _answers[question]
    except KeyError:
        raise ImproperlyConfigured(
            f"Nobody answers subjects.stops.{question}: the rights app registers the answers "
            "when it is ready (rights.apps)."
        ) from None


def restricted_subject_ids():
    """Ids of subjects with a restriction or objection in force: no marketing, no profiling
    (a queryset for `exclude(subject_id__in=...)`)."""
    return _answer("restricted_subject_ids")()


def objection_in_force(*, subject_id: int) -> bool:
    """Whether the subject has an objection in force (Art. 21)."""
    return _answer("objection_in_force")(subject_id=subject_id)


def erased_before(*, email: str, phone: str, at: datetime.datetime) -> bool:
    """Whether a person with this address or phone number was erased at or before `at` (Art. 17),
    so that re-entering them from a list never writes to them."""
    return _answer("erased_before")(email=email, phone=phone, at=at)
