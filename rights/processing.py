"""Whether a processing may still use a person's data after an objection (GDPR Art. 21; RG-15).

The one question every place that processes on legitimate interests asks, and the guard the mail
queue applies to every email to the person for such a purpose (mail.services.queue_email): an
information request's follow-up, a client marketing email. Reads only; no email, no audit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from declaration.schema import Activity
from declaration.selectors import get_declaration
from rights.models import Objection, Restriction
from subjects.models import Subject

# An objection to processing rests on Art. 21(1) only where the processing rests on Art. 6(1)(e)
# or (f); Wekst has no public task, so legitimate interests are the whole list.
OBJECTABLE_BASES = ("legitimate_interests",)

# Declared activities that are direct marketing (Art. 21(2)): an objection to them is absolute
# (Art. 21(3)), and a restriction or an objection to direct marketing stops them too (RG-14).
# The newsletter and advertising rest on consent, and are stopped by withdrawing it.
DIRECT_MARKETING = frozenset({"client_marketing"})


class ProcessingStopped(ValidationError):
    """A processing asked to use the data of a person who objected to it."""


def objectable_activities() -> list[Activity]:
    """The declared activities a person can object to under Art. 21(1), in declaration order."""
    return [
        activity
        for activity in get_declaration().activities.values()
        if activity.legal_basis in OBJECTABLE_BASES
    ]


def is_direct_marketing(activity: str) -> bool:
    return activity in DIRECT_MARKETING


def objecting_subject_ids(activity: str) -> QuerySet:
    """Ids of the subjects `activity` must skip: an objection to it that reviewed grounds have not
    overridden (for direct marketing, any objection, and any restriction or objection to direct
    marketing in force). For `exclude(subject_id__in=...)` in whatever selects whom to process."""
    objections = Objection.objects.filter(activity=activity)
    if not is_direct_marketing(activity):
        objections = objections.exclude(status=Objection.Status.OVERRIDDEN)
    stopped = Q(pk__in=objections.values("subject_id"))
    if is_direct_marketing(activity):
        in_force = Restriction.objects.filter(lifted_at__isnull=True)
        stopped |= Q(pk__in=in_force.values("subject_id"))
    return Subject.objects.filter(stopped).values("pk")


def may_process(*, subject: Subject, activity: str) -> bool:
    """Whether `activity` may use this person's data (False while an objection to it stands)."""
    return not objecting_subject_ids(activity).filter(pk=subject.pk).exists()


def ensure_may_email(*, to: str, subject: Subject | None, purpose: str) -> None:
    """Refuse, loudly, an email to the person for a processing they objected to (Art. 21(1)).

    Only emails to the person themselves and only for an objectable purpose are checked: staff
    notifications about the person, and answers to their privacy requests, are other processing.
    Raises ProcessingStopped; the caller stores nothing.
    """
    if subject is None or not subject.email or to.strip().lower() != subject.email.lower():
        return
    if purpose not in {activity.key for activity in objectable_activities()}:
        return
    if not may_process(subject=subject, activity=purpose):
        raise ProcessingStopped(
            f"Not sent: the person objected to the processing {purpose!r} (GDPR Art. 21). "
            "It may resume only when reviewed compelling grounds override the objection.",
            code="objected",
        )


def objection_in_force(*, subject_id: int) -> bool:
    """Whether the subject has an objection under Art. 21 in force (not yet lifted)."""
    return Restriction.objects.filter(
        subject=subject_id, kind=Restriction.Kind.OBJECTION, lifted_at__isnull=True
    ).exists()
