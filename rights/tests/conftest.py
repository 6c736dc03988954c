import datetime
import uuid

import pytest
from django.utils import timezone

from audit.services import record_event
from consent.services import record_consent
from leads.meetings import record_booking
from leads.services import tell_staff
from leads.tests.factories import make_lead
from newsletter.services import start_subscription
from processors import connectors
from processors.fake import FakeConnector
from rights.tests.factories import CONSENT_ID, EMAIL


@pytest.fixture(autouse=True)
def _fresh_rate_limits(fresh_rate_limits):
    """Every test here starts with no submission counted (wekst.testing)."""


@pytest.fixture(autouse=True)
def ledger_path(settings, tmp_path):
    """Each test writes its own erasure ledger."""
    settings.WEKST_ERASURE_LEDGER_PATH = tmp_path / "ledger" / "erasure-ledger.jsonl"
    return settings.WEKST_ERASURE_LEDGER_PATH


@pytest.fixture(autouse=True)
def fake_connectors_by_kind(monkeypatch) -> dict[str, dict[str, FakeConnector]]:
    """Every processor's connector, for each kind of notice, replaced by a fake that records its
    calls: {kind: {processor: fake}}."""
    fakes = {}
    for kind, registry in connectors.CONNECTORS.items():
        fakes[kind] = {key: FakeConnector() for key in registry}
        for key, fake in fakes[kind].items():
            monkeypatch.setitem(registry, key, fake)
    return fakes


@pytest.fixture(autouse=True)
def fake_connectors(fake_connectors_by_kind) -> dict[str, FakeConnector]:
    """The fakes of the erasure connectors, by processor."""
    return fake_connectors_by_kind[connectors.ERASURE]


@pytest.fixture
def staff_addresses(settings):
    settings.WEKST_STAFF_EMAILS = ["privacy@wekst.test"]
    return settings.WEKST_STAFF_EMAILS


@pytest.fixture
def person(staff_addresses):
    """Kari, with a record in every app that holds personal data about her."""
    lead = make_lead(
        email=EMAIL,
        name="Kari Nordmann",
        phone="+47 912 34 567",
        company="Nordmann Tannklinikk",
        message='=HYPERLINK("http://evil.example","click")',
    )
    meeting = record_booking(
        provider="trafft",
        status="booked",
        booking_id="appt-8812",
        name="Kari Nordmann",
        email=EMAIL,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        ends_at=timezone.now() + datetime.timedelta(days=3, minutes=30),
        occurred_at=timezone.now(),
    )
    # What the worker does next: staff are told of the lead and of the meeting.
    tell_staff(lead_id=lead.pk)
    tell_staff(lead_id=meeting.lead_id, meeting_id=meeting.pk)
    start_subscription(
        email=EMAIL, name="Kari", source="newsletter_form", consent_wording="Yes", language="en"
    )
    record_consent(
        consent_id=uuid.UUID(CONSENT_ID),
        action="accept_all",
        method="banner",
        gpc=False,
        language="en",
        ip="203.0.113.77",
    )
    record_consent(
        consent_id=uuid.uuid4(),
        action="accept_all",
        method="banner",
        gpc=False,
        language="en",
        ip="198.51.100.1",
    )
    record_event(
        actor="staff-anna",
        action="view",
        object_type="leads.Lead",
        object_id=lead.public_id,
        subject_ref=lead.subject.public_id,
    )
    return lead.subject
