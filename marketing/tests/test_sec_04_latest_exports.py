"""The segments page's latest exports name the segment and the platform as the policy does, with
the right plural, not by their keys (SEC-04; TP-07)."""

import pytest

from audit.services import record_event
from marketing import services
from marketing.selectors import recent_exports
from marketing.tests.factories import logged, to_an_ad_platform
from newsletter.tests.factories import confirmed_subscription

pytestmark = pytest.mark.django_db
SEGMENTS = "/admin/marketing/segments/"
EXPORT = "/admin/marketing/segments/newsletter_subscribers/export/"


def _latest(client) -> str:
    return client.get(SEGMENTS).text.split("Latest exports", 1)[1]


def test_sec_04_an_export_is_listed_by_the_segments_and_the_platforms_names(admin_client):
    confirmed_subscription("kari@example.no")
    b"".join(admin_client.post(EXPORT, {"platform": "email_provider"}).streaming_content)

    latest = _latest(admin_client)

    assert "<td>Newsletter subscribers</td>" in latest
    assert "1 person to Brevo (addresses)" in latest
    assert "newsletter_subscribers" not in latest and "email_provider" not in latest


def test_sec_04_many_people_and_hashed_addresses_read_as_such(admin_client, monkeypatch):
    monkeypatch.setattr(services, "get_declaration", lambda: to_an_ad_platform())
    confirmed_subscription("kari@example.no")
    confirmed_subscription("per@example.no")
    services.export_segment(
        segment_key="newsletter_subscribers", platform="google_ads", actor="marketer"
    )
    assert "2 people to Google Ads (hashed addresses)" in _latest(admin_client)


def test_sec_04_the_page_reads_the_export_log_not_the_audit_entrys_wording(admin_client):
    """What the page says comes from the SegmentExport row, whatever the entry's reason says."""
    logged(people=3, platform="email_provider", hashed=False, reason="Exported (worded anew)")
    logged(people=1, platform="old_platform", hashed=True, reason="1 people to google_ads (hashed)")

    latest = _latest(admin_client)

    assert "3 people to Brevo (addresses)" in latest
    assert "1 person to old_platform (hashed addresses)" in latest  # no longer declared: its key
    assert "worded anew" not in latest and "google_ads" not in latest


def test_sec_04_exports_with_and_without_a_log_row_are_listed_newest_first():
    """An export audited before the log whose entry the backfill could not read has no row: it
    is listed by its reason, in its place among the others."""
    unread = record_event(
        actor="marketer",
        action="export",
        object_type="marketing.Segment",
        object_id="newsletter_subscribers",
        reason="written another way",
    )
    older = logged(people=4, platform="email_provider", hashed=False)
    newer = logged(people=5, platform="email_provider", hashed=False)

    assert [e.sequence for e in recent_exports(limit=2)] == [newer.sequence, older.sequence]
    exports = recent_exports()
    assert [e.sequence for e in exports] == [newer.sequence, older.sequence, unread.sequence]
    assert [e.people for e in exports] == [5, 4, None]
    assert exports[2].reason == "written another way"


def test_sec_04_an_export_of_a_segment_no_longer_declared_keeps_its_key(admin_client):
    record_event(
        actor="marketer",
        action="export",
        object_type="marketing.Segment",
        object_id="old_segment",
        reason="written another way",
    )
    latest = _latest(admin_client)
    assert "<td>old_segment</td>" in latest and "written another way" in latest
