"""Every segment export is logged as fields beside its audit entry, in the entry's transaction
(policy §10; TP-07, SB-01): the segment, the platform, how many people, hashed or not, when and
by whom. Exports audited before the log are read into it once from their entries, which stay as
they are (a hash chain)."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditEntry
from audit.services import record_event
from marketing import services
from marketing.models import SegmentExport
from marketing.selectors import recent_exports
from marketing.tests.factories import to_an_ad_platform
from newsletter.tests.factories import confirmed_subscription

SEGMENT = "newsletter_subscribers"
BEFORE_THE_LOG = [("marketing", "0001_segment_export_log")]
BACKFILL = [("marketing", "0002_segment_exports_from_the_audit_log")]


def fields(row: SegmentExport) -> tuple:
    return (row.segment, row.platform, row.people, row.hashed)


@pytest.mark.django_db
def test_tp_07_an_export_is_logged_as_fields_with_its_audit_entry(monkeypatch):
    monkeypatch.setattr(services, "get_declaration", to_an_ad_platform)
    confirmed_subscription("kari@example.no")
    confirmed_subscription("per@example.no")

    services.export_segment(segment_key=SEGMENT, platform="google_ads", actor="marketer")
    services.export_segment(segment_key=SEGMENT, platform="email_provider", actor="officer")

    hashed, addresses = SegmentExport.objects.order_by("audit_entry__sequence")
    assert fields(hashed) == (SEGMENT, "google_ads", 2, True)
    assert fields(addresses) == (SEGMENT, "email_provider", 2, False)
    for row, actor in ((hashed, "marketer"), (addresses, "officer")):
        entry = row.audit_entry
        assert (entry.object_type, entry.action, entry.object_id) == (
            "marketing.Segment",
            "export",
            SEGMENT,
        )
        assert (row.at, row.actor) == (entry.at, entry.actor) and row.actor == actor


@pytest.mark.django_db
def test_tp_07_no_audit_entry_is_kept_for_an_export_whose_log_row_was_not_written(monkeypatch):
    """One transaction: the page never lacks an export the audit log holds, and the log never
    holds one the page lacks."""
    confirmed_subscription("kari@example.no")

    def refused(**kwargs):
        raise DatabaseError("the row could not be written")

    monkeypatch.setattr(SegmentExport.objects, "create", refused)
    with pytest.raises(DatabaseError):
        services.export_segment(segment_key=SEGMENT, platform="email_provider", actor="marketer")

    assert not AuditEntry.objects.filter(object_type="marketing.Segment").exists()


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def exported(object_id: str, reason: str, *, actor: str = "marketer") -> AuditEntry:
    return record_event(
        actor=actor,
        action="export",
        object_type="marketing.Segment",
        object_id=object_id,
        reason=reason,
    )


@pytest.mark.django_db(transaction=True)
def test_tp_07_exports_audited_before_the_log_are_read_into_it_once():
    migrate(BEFORE_THE_LOG)
    try:
        to_ads = exported(SEGMENT, "12 people to google_ads (hashed)")
        by_email = exported(SEGMENT, "1 people to email_provider (addresses)", actor="officer")
        retired = exported("old_segment", "3 people to email_provider (addresses)")
        unread = exported(SEGMENT, "written another way")
        record_event(actor="admin", action="view", object_type="marketing.Segment", reason="x")

        migrate(BACKFILL)

        rows = {row.audit_entry_id: row for row in SegmentExport.objects.all()}
        assert set(rows) == {to_ads.pk, by_email.pk, retired.pk}
        assert fields(rows[to_ads.pk]) == (SEGMENT, "google_ads", 12, True)
        assert fields(rows[by_email.pk]) == (SEGMENT, "email_provider", 1, False)
        assert fields(rows[retired.pk]) == ("old_segment", "email_provider", 3, False)
        assert (rows[by_email.pk].at, rows[by_email.pk].actor) == (by_email.at, "officer")

        # The page keeps the whole history: the entry it could not read, by its reason.
        shown = recent_exports()
        assert [e.sequence for e in shown] == [
            unread.sequence,
            retired.sequence,
            by_email.sequence,
            to_ads.sequence,
        ]
        assert (shown[0].people, shown[0].reason) == (None, "written another way")
        assert (shown[3].people, shown[3].hashed) == (12, True)

        # Run again (back to 0001 and forward): nothing is written twice.
        migrate(BEFORE_THE_LOG)
        migrate(BACKFILL)
        assert SegmentExport.objects.count() == 3

        call_command("verify_audit_log")  # the entries themselves are untouched
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
