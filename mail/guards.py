"""Checks every email passes before it is queued, registered by the apps that own them.

The mail queue sits below the apps that decide whether a person may still be written to (the
rights app: an objection under GDPR Art. 21; docs/overview.md, "The layers"), so it does not
import them: they register their check when they are ready, and queue_email runs every one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Imported by apps.py modules before the models are ready: no model import at run time.
    from subjects.models import Subject

# A guard is called with the email's address, subject and purpose, and raises (a ValidationError
# saying why) to refuse it; the caller then stores nothing.
SendGuard = Callable[..., None]

_guards: list[SendGuard] = []


def register_send_guard(guard: SendGuard) -> None:
    """Run `guard(to=..., subject=..., purpose=...)` before every email is queued (once)."""
    if guard not in _guards:
        _guards.append(guard)


def check_may_send(*, to: str, subject: Subject | None, purpose: str) -> None:
    """Run every registered guard; the first that refuses raises."""
    for guard in _guards:
        guard(to=to, subject=subject, purpose=purpose)
