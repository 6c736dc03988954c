"""Reading the breach register: deadlines as countdowns, what is still open, the notice text."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from breaches.models import Breach
from declaration.selectors import get_declaration


@dataclass(frozen=True)
class Deadline:
    """Where one notification stands: `state` is "open", "overdue", "done", "late" or
    "not_required"; `text` says it for a person ("61 h 59 min left")."""

    state: str
    text: str
    due_at: datetime.datetime | None


def _duration(delta: datetime.timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}


def _countdown(
    *, due_at: datetime.datetime, done_at: datetime.datetime | None, now: datetime.datetime
) -> Deadline:
    if done_at is not None:
        if done_at <= due_at:
            return Deadline("done", _("notified on time"), due_at)
        return Deadline(
            "late", _("notified %(late)s late") % {"late": _duration(done_at - due_at)}, due_at
        )
    if now <= due_at:
        return Deadline("open", _("%(left)s left") % {"left": _duration(due_at - now)}, due_at)
    return Deadline("overdue", _("overdue by %(late)s") % {"late": _duration(now - due_at)}, due_at)


def authority_deadline(breach: Breach, *, now: datetime.datetime | None = None) -> Deadline:
    """The 72 hours to notify Datatilsynet (Art. 33(1)). Running until the risk is assessed as
    none: an unassessed breach is treated as one to notify, since the clock does not wait."""
    if breach.risk == Breach.Risk.NONE and breach.authority_notified_at is None:
        return Deadline("not_required", _("not required (no risk)"), None)
    return _countdown(
        due_at=breach.authority_deadline,
        done_at=breach.authority_notified_at,
        now=now or timezone.now(),
    )


def clinic_deadline(breach: Breach, *, now: datetime.datetime | None = None) -> Deadline | None:
    """The time to tell the clinic whose data it was (Art. 33(2); BREACH_CLINIC_NOTICE_HOURS)."""
    if breach.clinic_id is None:
        return None
    due_at = breach.became_aware_at + datetime.timedelta(hours=settings.BREACH_CLINIC_NOTICE_HOURS)
    return _countdown(due_at=due_at, done_at=breach.clinic_notified_at, now=now or timezone.now())


def breaches_needing_action() -> QuerySet[Breach]:
    """Open breaches with a notification not yet sent, or a staged notification to follow up."""
    return Breach.objects.filter(closed_at__isnull=True).filter(
        (Q(authority_notified_at__isnull=True) & ~Q(risk=Breach.Risk.NONE))
        | Q(authority_notification_partial=True, authority_follow_up_at__isnull=True)
        | Q(clinic__isnull=False, clinic_notified_at__isnull=True)
    )


def contact_point(breach: Breach) -> str:
    """Who to contact about the breach: as recorded, or the declaration's privacy contact."""
    if breach.contact_point.strip():
        return breach.contact_point
    controller = get_declaration().controller
    return f"{controller.legal_name} ({controller.trading_name}), {controller.email}"
