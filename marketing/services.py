"""Exporting an audience segment of Wekst's own marketing to a platform, audited (policy §10;
GDPR Art. 5(2), 32(4); checklists TP-07, SB-01, CL-02)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import record_event
from declaration.selectors import get_declaration
from marketing.models import EXPORT_OBJECT_TYPE, SegmentExport
from marketing.selectors import segment_members
from staff.roles import EXPORT_SEGMENTS


@dataclass(frozen=True)
class ExportFile:
    """One export, ready to stream: its header, its rows and how many people it holds."""

    segment: str
    platform: str
    hashed: bool
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]

    @property
    def count(self) -> int:
        return len(self.rows)


def may_export_segments(user: AbstractBaseUser) -> bool:
    """Superusers and the roles of staff.roles.EXPORT_SEGMENTS."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=[role.group for role in EXPORT_SEGMENTS]).exists()


def hashed_email(email: str) -> str:
    """The address as ad platforms match it (Google Ads customer match): whitespace trimmed,
    lower case, then SHA-256 in hexadecimal. The platform never receives the address itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def export_segment(*, segment_key: str, platform: str, actor: str) -> ExportFile:
    """The segment's members for one of its declared platforms, and one audit entry naming who
    exported which segment, to which platform, with how many people (the time is the entry's),
    with a SegmentExport row holding the same as fields, in one transaction.

    A platform that acts on its own account (an independent controller, such as an ad platform
    matching its users: PT-07) receives only hashed addresses; a processor that sends our email
    receives the address and the language. Raises ValidationError, and exports and records
    nothing, for an unknown segment or a platform the segment does not declare.
    """
    declaration = get_declaration()
    segment = declaration.segments.get(segment_key)
    if segment is None:
        raise ValidationError(f"There is no declared segment {segment_key!r}.")
    if platform not in segment.platforms:
        raise ValidationError(
            f"The segment {segment_key!r} may go only to {', '.join(segment.platforms)}; the "
            f"policy does not name {platform!r} for it, so people never agreed to it."
        )
    hashed = declaration.recipients[platform].role != "processor"
    members = segment_members(segment=segment)
    if hashed:
        header: tuple[str, ...] = ("Email",)
        rows = [(hashed_email(member.email),) for member in members]
    else:
        header = ("Email", "Language")
        rows = [(member.email, member.language) for member in members]
    with transaction.atomic():
        entry = record_event(
            actor=actor,
            action="export",
            object_type=EXPORT_OBJECT_TYPE,
            object_id=segment.key,
            reason=f"{len(rows)} people to {platform} ({'hashed' if hashed else 'addresses'})",
        )
        SegmentExport.objects.create(
            audit_entry=entry,
            at=entry.at,
            actor=entry.actor,
            segment=segment.key,
            platform=platform,
            people=len(rows),
            hashed=hashed,
        )
    return ExportFile(
        segment=segment.key, platform=platform, hashed=hashed, header=header, rows=rows
    )
