"""Test data for segment exports: a logged export as export_segment writes it, and a declaration
in which the newsletter segment may also go to an ad platform (hashed addresses only)."""

import copy
from pathlib import Path

import yaml

from audit.models import AuditEntry
from audit.services import record_event
from declaration.schema import Declaration, parse_declaration
from marketing.models import SegmentExport

DECLARATION_FILE = Path(__file__).resolve().parents[2] / "declaration" / "declaration.yaml"


def logged(
    *,
    people: int,
    platform: str,
    hashed: bool,
    segment: str = "newsletter_subscribers",
    reason: str = "",
) -> AuditEntry:
    """An export's audit entry and its SegmentExport row; `reason` as the entry words it."""
    form = "hashed" if hashed else "addresses"
    entry = record_event(
        actor="marketer",
        action="export",
        object_type="marketing.Segment",
        object_id=segment,
        reason=reason or f"{people} people to {platform} ({form})",
    )
    SegmentExport.objects.create(
        audit_entry=entry,
        at=entry.at,
        actor=entry.actor,
        segment=segment,
        platform=platform,
        people=people,
        hashed=hashed,
    )
    return entry


def to_an_ad_platform() -> Declaration:
    """The declaration in force, with Google Ads among the newsletter's recipients and platforms."""
    data = copy.deepcopy(yaml.safe_load(DECLARATION_FILE.read_text(encoding="utf-8")))
    data["activities"]["newsletter"]["recipients"].append("google_ads")
    data["segments"]["newsletter_subscribers"]["platforms"] = ["email_provider", "google_ads"]
    return parse_declaration(data)
