import pytest

from processors.fake import FakeBookingProvider
from processors.testing import put_on_record

SECRETS = {"trafft": "trafft-test-secret", "calcom": "calcom-test-secret"}


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Contracts and accounting documents go to a fresh directory per test."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.WEKST_PRIVATE_FILES_ROOT


@pytest.fixture
def booking_providers_on_record(db):
    """Trafft and Cal.com with their agreement and SCCs on record: their webhooks may run."""
    return put_on_record("trafft", "calcom")


@pytest.fixture(params=["trafft", "calcom"])
def provider(request, settings, client, booking_providers_on_record):
    """Each booking provider in turn, with its shared secret configured."""
    settings.TRAFFT_WEBHOOK_SECRET = SECRETS["trafft"]
    settings.CALCOM_WEBHOOK_SECRET = SECRETS["calcom"]
    return FakeBookingProvider(request.param, SECRETS[request.param], client)
