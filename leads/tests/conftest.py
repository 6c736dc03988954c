import datetime
import zoneinfo

import pytest
from django.utils import timezone

from leads.booking import Slot


@pytest.fixture(autouse=True)
def _fresh_rate_limits(fresh_rate_limits):
    """Every test here starts with no submission counted (wekst.testing)."""


@pytest.fixture
def staff_inbox(settings):
    settings.WEKST_STAFF_EMAILS = ["sales@wekst.test", "owner@wekst.test"]
    return settings.WEKST_STAFF_EMAILS


@pytest.fixture
def trafft_api(db, settings, tmp_path):
    """Trafft's API v2 played on this machine (processors.fake.FakeTrafftApi), configured for the
    growth-meeting page, its agreement on record, with three free times: two the day after
    tomorrow (09:00, 13:30 Norwegian time), one the day after."""
    from processors import trafft
    from processors.fake import FakeTrafftApi
    from processors.testing import put_on_record

    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    put_on_record("trafft")
    fake = FakeTrafftApi()
    settings.TRAFFT_API_URL = fake.url
    settings.TRAFFT_CLIENT_ID = fake.client_id
    settings.TRAFFT_CLIENT_SECRET = fake.client_secret
    settings.TRAFFT_SERVICE_ID = "3"
    settings.TRAFFT_EMPLOYEE_ID = ""
    first, second = free_days()
    fake.free_times = [
        (first.isoformat(), "09:00", 7),
        (first.isoformat(), "13:30", 7),
        (second.isoformat(), "10:00", 8),
    ]
    trafft._token = None
    yield fake
    trafft._token = None
    fake.stop()


def free_days() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return today + datetime.timedelta(days=2), today + datetime.timedelta(days=3)


def free_slot(day: int = 0, at: str = "09:00", employee: str = "7") -> Slot:
    """One of trafft_api's free times, as the page names it."""
    hour, minute = (int(part) for part in at.split(":"))
    starts_at = datetime.datetime.combine(
        free_days()[day], datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo("Europe/Oslo")
    )
    return Slot(starts_at=starts_at, employee=employee)
