"""The segments page's latest exports name the segment and the platform as the policy does, with
the right plural, not by their keys (SEC-04; TP-07)."""

import pytest

from audit.services import record_event
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


def test_sec_04_many_people_and_hashed_addresses_read_as_such(admin_client):
    record_event(
        actor="marketer",
        action="export",
        object_type="marketing.Segment",
        object_id="newsletter_subscribers",
        reason="2 people to email_provider (hashed)",
    )
    assert "2 people to Brevo (hashed addresses)" in _latest(admin_client)


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
