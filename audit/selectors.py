"""Reading the audit log, and checking that nobody changed it."""

from collections.abc import Iterator

from audit.models import AuditEntry
from audit.services import GENESIS, entry_digest, hashed_fields


def first_broken_link(batch_size: int = 5000) -> AuditEntry | None:
    """The first entry whose hash or link does not match, or None when the chain is intact.

    An edited entry breaks its own hash; a deleted or inserted one breaks the next link, and a
    gap in the sequence shows a deletion at the end of a batch as well.
    """
    previous_hash, expected_sequence = GENESIS, 1
    for entry in _in_order(batch_size):
        if (
            entry.sequence != expected_sequence
            or entry.previous_hash != previous_hash
            or entry.entry_hash
            != entry_digest(previous_hash=entry.previous_hash, fields=hashed_fields(entry))
        ):
            return entry
        previous_hash, expected_sequence = entry.entry_hash, entry.sequence + 1
    return None


def _in_order(batch_size: int) -> Iterator[AuditEntry]:
    after = 0
    while True:
        batch = list(
            AuditEntry.objects.filter(sequence__gt=after).order_by("sequence")[:batch_size]
        )
        yield from batch
        if len(batch) < batch_size:
            return
        after = batch[-1].sequence


def entries_about(subject_ref: str):
    """Every entry that refers to one subject (for access reports)."""
    return AuditEntry.objects.filter(subject_ref=subject_ref)
