"""Deleting a clinic's data at the processors that received it, asked by clinics.offboarding and
answered by the rights app (GDPR Art. 28(3)(g); CL-08).

Passing an erasure on to the processors (one retried `rights.ProcessorNotice` per processor, as an
erasure request and the retention sweep do) is the rights app's, and the rights app sits above the
clinics (docs/overview.md, "The layers"), so this app does not import it: the rights app registers
its answer here when it is ready (rights.apps). Asked before anyone answered, it raises: a clinic's
data must never be deleted here while the processors are silently left holding it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_answers: dict[str, Callable[..., Any]] = {}


def answer_with(
    *, delete_passing_on: Callable[..., Any], notice_outcomes: Callable[..., Any]
) -> None:
    """Register the rights app's answers (rights.apps)."""
    _answers.update(delete_passing_on=delete_passing_on, notice_outcomes=notice_outcomes)


def _answer(name: str) -> Callable[..., Any]:
    try:
        return _answers[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"Nobody answers clinics.processor_erasure.{name}: the rights app registers its "
            "answer when it is ready (rights.apps)."
        ) from None


def delete_passing_on(*, subject_ids: set[int], delete: Callable[[], dict[str, int]]):
    """Run `delete` (which deletes the clinic's records and returns counts per category) and pass
    the erasure on to each processor that no remaining record of these people needs any more.
    Returns (the counts, the public ids of the notices created), in the caller's transaction."""
    return _answer("delete_passing_on")(subject_ids=subject_ids, delete=delete)


def notice_outcomes(public_ids: list[str]) -> list[dict[str, str]]:
    """Each notice's processor, status and completion time, for the deletion certificate."""
    return _answer("notice_outcomes")(public_ids)
