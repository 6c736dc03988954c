"""Writing to the audit log: append-only, each entry chained to the one before (SEC-01)."""

import hashlib
import json

from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditEntry

GENESIS = "0" * 64


def entry_digest(*, previous_hash: str, fields: dict) -> str:
    """SHA-256 over the previous hash and the entry's fields, in a fixed canonical form."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def hashed_fields(entry: AuditEntry) -> dict:
    return {
        "sequence": entry.sequence,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "subject_ref": entry.subject_ref,
        "reason": entry.reason,
    }


def record_event(
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: object = "",
    subject_ref: object = "",
    reason: str = "",
) -> AuditEntry:
    """Append one entry: who (`actor`: a username or "system:<job>"), did what, to which record.

    `object_type` is a model label ("leads.Lead"), `subject_ref` the subject's public id: pass
    references, never personal data itself. Runs in the caller's transaction, so an action and
    its audit entry are committed together or not at all. Appends wait for each other
    (_lock_the_chain), so the chain has no forks under concurrent writers.
    """
    with transaction.atomic():
        _lock_the_chain()
        last = AuditEntry.objects.order_by("-sequence").first()
        entry = AuditEntry(
            sequence=(last.sequence + 1) if last else 1,
            at=timezone.now(),
            actor=actor[:150],
            action=AuditEntry.Action(action),
            object_type=object_type,
            object_id=str(object_id)[:64],
            subject_ref=str(subject_ref or "")[:36],
            reason=reason[:300],
            previous_hash=last.entry_hash if last else GENESIS,
        )
        entry.entry_hash = entry_digest(
            previous_hash=entry.previous_hash, fields=hashed_fields(entry)
        )
        entry.save(force_insert=True)
    return entry


def _lock_the_chain() -> None:
    """Until the caller's transaction ends, no other append: the newest entry is then read after
    the one before has been committed.

    Locking the newest entry's row (SELECT … FOR UPDATE) did not do it: two appends waited on the
    same row, the second then read that row again, not the entry the first had added, and took
    the same sequence number (a 500 for one of two staff opening an audited page at once:
    audit/tests/test_sec_01_concurrent_appends.py). On PostgreSQL the table is locked in a mode
    that only appends, changes and deletions wait for, never reading. SQLite takes its one write
    lock as each transaction begins (transaction_mode IMMEDIATE, wekst/database.py).
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def actor_of(user) -> str:
    """The actor name for a staff user (or the system when there is none)."""
    return user.get_username() if user is not None and user.is_authenticated else "system"
