"""Who is in an audience segment of Wekst's own marketing (policy §10; GDPR Art. 6(1)(a), 7(3),
18, 21(2)-(3); checklists TP-07, RG-14, RG-15, CL-02).

A segment is the people who gave the consent its source records (declaration.schema.segments),
less everyone who stopped it: a restriction or an objection in force (subjects.stops), an address
on the suppression list (unsubscribed, objected, bounced, complained), an erased person (erasure
deletes the subscription and the subject's address). Nothing here reads a clinic's data: the
sources are Wekst's own records, and a source that would draw on a clinic's data or on data that
can reveal health is refused at start-up (CL-02, CL-06).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from audit.models import AuditEntry
from declaration.schema.segments import Segment
from declaration.selectors import get_declaration
from newsletter.models import Subscription, Suppression
from newsletter.tokens import address_digests
from subjects import stops


@dataclass(frozen=True)
class Member:
    subject_id: int
    email: str  # normalised (the subject index keeps it so)
    language: str


def _newsletter_subscriptions() -> QuerySet:
    """Confirmed (double opt-in) subscriptions: the consent to marketing email (LEA-02)."""
    return Subscription.objects.filter(status=Subscription.Status.CONFIRMED).values_list(
        "subject_id", "subject__email", "language"
    )


# Each source the declaration may name (declaration.schema.segments.SEGMENT_SOURCES), as rows of
# (subject id, email, language) of the people who gave its consent.
SOURCES: dict[str, Callable[[], QuerySet]] = {
    "newsletter_subscriptions": _newsletter_subscriptions,
}


def get_segment(*, key: str) -> Segment:
    """The declared segment with this key; 404 for any other."""
    segment = get_declaration().segments.get(key)
    if segment is None:
        raise Http404
    return segment


def segment_members(*, segment: Segment) -> Iterator[Member]:
    """The people in the segment now, in a stable order: only those with the matching consent,
    never anyone restricted, objecting, suppressed or erased."""
    rows = (
        SOURCES[segment.source]()
        .exclude(subject_id__in=stops.restricted_subject_ids())
        .exclude(subject__email__isnull=True)
        .exclude(subject__email="")
        .order_by("subject_id")
    )
    # The suppression list holds keyed hashes only, so it is matched here, not in SQL.
    suppressed = set(Suppression.objects.values_list("address_digest", flat=True))
    for subject_id, email, language in rows.iterator(chunk_size=2000):
        if suppressed.intersection(address_digests(email)):
            continue
        yield Member(subject_id=subject_id, email=email, language=language)


def segment_size(*, segment: Segment) -> int:
    return sum(1 for _ in segment_members(segment=segment))


@dataclass(frozen=True)
class ExportShown:
    """One segment export from the audit log, named as the declaration names it."""

    at: datetime.datetime
    actor: str
    segment: str  # the segment's name; its key if the declaration no longer lists it
    platform: str  # the platform's name, likewise
    people: int | None  # None: an entry written in another form, shown as `reason`
    hashed: bool
    reason: str


# How marketing.services.export_segment words the audit entry's reason.
_EXPORT_REASON = re.compile(
    r"^(?P<people>\d+) people to (?P<platform>\S+) \((?P<form>hashed|addresses)\)$"
)


def recent_exports(*, limit: int = 20) -> list[ExportShown]:
    """The latest segment exports from the audit log: who, when, which segment, to which
    platform and how many people (marketing.services.export_segment writes them)."""
    declaration = get_declaration()
    entries = AuditEntry.objects.filter(object_type="marketing.Segment", action="export").order_by(
        "-sequence"
    )[:limit]
    shown = []
    for entry in entries:
        segment = declaration.segments.get(entry.object_id)
        match = _EXPORT_REASON.match(entry.reason)
        platform = declaration.recipients.get(match["platform"]) if match else None
        shown.append(
            ExportShown(
                at=entry.at,
                actor=entry.actor,
                segment=str(segment.name) if segment else entry.object_id,
                platform=str(platform.name) if platform else (match["platform"] if match else ""),
                people=int(match["people"]) if match else None,
                hashed=bool(match) and match["form"] == "hashed",
                reason=entry.reason,
            )
        )
    return shown
