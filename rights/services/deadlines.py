"""Deadlines of requests (GDPR Art. 12(3); RIG-06, checklist RG-04): extending one, with a reason
told to the person within the first month, and reminding staff of what is due or overdue.
When a request is due is computed in wekst.deadlines.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mail.services import queue_email
from rights.models import OPEN_STATUSES, Request
from rights.selectors import requests_due_for_reminder
from rights.services.steps import (
    ACTIVITY,
    SYSTEM,
    RequestNotAllowed,
    _admin_url,
    _audit,
    _locked,
    _one_step,
    _tell_person,
)
from wekst.deadlines import MAX_EXTENSION_MONTHS, due_at


def extend_request(*, request_id: int, months: int, reason: str, actor: str) -> Request:
    """Extend the deadline by one or two months (at most two in all), with a recorded reason, and
    tell the person why, before the first month ends (Art. 12(3); checklist RG-04)."""
    reason = reason.strip()[:1000]
    if not reason:
        raise RequestNotAllowed(gettext("Record the reason for the extension."))
    if months not in (1, 2):
        raise RequestNotAllowed(gettext("A request can be extended by one or two months."))
    with _one_step():
        request = _locked(request_id)
        if request.status not in OPEN_STATUSES:
            raise RequestNotAllowed("Only an open request can be extended.")
        total = request.extended_by_months + months
        if total > MAX_EXTENSION_MONTHS:
            raise RequestNotAllowed(
                gettext("A request can be extended by at most two months in all.")
            )
        if timezone.now() > due_at(request.received_at):
            raise RequestNotAllowed(
                gettext(
                    "An extension must be decided, and the person told, within the first month."
                )
            )
        request.extended_by_months = total
        request.due_at = max(request.due_at, due_at(request.received_at, extension_months=total))
        stamp = timezone.localdate().isoformat()
        request.extension_reason = "\n".join(
            line for line in (request.extension_reason, f"{stamp} +{months}: {reason}") if line
        )
        request.save(update_fields=["extended_by_months", "due_at", "extension_reason"])
        _audit(
            request, actor=actor, action="change", reason=f"deadline extended by {months} month(s)"
        )
        _tell_person(
            request,
            template="extended",
            subject_line=_("We need more time to answer your privacy request"),
            context={"reason": reason},
        )
    return request


def send_deadline_reminders(
    *, now: datetime.datetime | None = None, within_days: int | None = None
) -> int:
    """Remind staff of open requests due within `within_days` (RIGHTS_REMINDER_DAYS) or overdue,
    once per deadline (an extension sets a new one); returns how many were in the reminder.

    The reminder names requests by reference, kind and deadline only. For the daily schedule and
    `manage.py send_deadline_reminders`.
    """
    now = now or timezone.now()
    within = settings.RIGHTS_REMINDER_DAYS if within_days is None else within_days
    with transaction.atomic():
        due = list(
            requests_due_for_reminder(now=now, within_days=within).select_for_update(of=("self",))
        )
        if not due:
            return 0
        rows = []
        for r in due:
            days = (timezone.localtime(r.due_at).date() - timezone.localtime(now).date()).days
            rows.append(
                {"request": r, "days_left": days, "overdue_days": -days, "admin_url": _admin_url(r)}
            )
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string("rights/email/staff_reminder.txt", {"rows": rows})
        for address in settings.WEKST_STAFF_EMAILS:
            queue_email(
                to=address,
                subject_line=f"Privacy requests due soon: {len(due)}",
                body=body,
                purpose=ACTIVITY,
            )
        for request in due:
            request.reminded_for_due_at = request.due_at
            request.save(update_fields=["reminded_for_due_at"])
            _audit(request, actor=SYSTEM, action="notify", reason="deadline reminder sent to staff")
    return len(due)
