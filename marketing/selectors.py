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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from django.db.models import QuerySet
from django.http import Http404

from audit.models import AuditEntry
from declaration.schema.segments import Segment
from declaration.selectors import get_declaration
from marketing.models import EXPORT_OBJECT_TYPE, SegmentExport
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
class LoggedExport:
    """One segment export: the segment and the platform by their keys (logged_exports), or by
    their names (recent_exports)."""

    sequence: int  # its audit entry's
    at: datetime.datetime
    actor: str
    segment: str
    platform: str  # "" for an old entry the backfill could not read
    people: int | None  # None: that old entry, whose `reason` is all there is to show
    hashed: bool
    reason: str  # its audit entry's, worded for people


def logged_exports(*, limit: int | None = None) -> list[LoggedExport]:
    """The segment exports, newest first (the latest `limit`, or all): who, when, which segment,
    to which platform and how many people, from the SegmentExport rows
    (marketing.services.export_segment writes them), never read out of an entry's wording
    (policy §10; GDPR Art. 5(2); TP-07).

    An export audited before those rows whose entry the backfill (migration 0002) could not read
    has no row: it is listed by its audit entry's reason rather than left out.
    """
    rows = SegmentExport.objects.select_related("audit_entry").order_by("-audit_entry__sequence")
    logged = [
        LoggedExport(
            sequence=row.audit_entry.sequence,
            at=row.at,
            actor=row.actor,
            segment=row.segment,
            platform=row.platform,
            people=row.people,
            hashed=row.hashed,
            reason=row.audit_entry.reason,
        )
        for row in rows[:limit]
    ]
    unread = AuditEntry.objects.filter(
        object_type=EXPORT_OBJECT_TYPE, action=AuditEntry.Action.EXPORT, segment_export__isnull=True
    ).order_by("-sequence")
    logged += [
        LoggedExport(
            sequence=entry.sequence,
            at=entry.at,
            actor=entry.actor,
            segment=entry.object_id,
            platform="",
            people=None,
            hashed=False,
            reason=entry.reason,
        )
        for entry in unread[:limit]
    ]
    return sorted(logged, key=lambda export: export.sequence, reverse=True)[:limit]


def recent_exports(*, limit: int = 20) -> list[LoggedExport]:
    """The latest segment exports for the segments page (logged_exports), with the segment and
    the platform named as the declaration names them in the page's language, or by key once it
    no longer lists them."""
    declaration = get_declaration()
    return [
        replace(
            export,
            segment=_named(declaration.segments, export.segment),
            platform=_named(declaration.recipients, export.platform),
        )
        for export in logged_exports(limit=limit)
    ]


def _named(entries: dict, key: str) -> str:
    """A declared entry's name in the page's language; its key once the declaration drops it."""
    entry = entries.get(key)
    return str(entry.name) if entry is not None else key
