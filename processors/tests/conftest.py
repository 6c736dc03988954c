import pytest

from processors.fake import FakeBookingProvider

SECRETS = {"trafft": "trafft-test-secret", "calcom": "calcom-test-secret"}


@pytest.fixture(params=["trafft", "calcom"])
def provider(request, settings, client):
    """Each booking provider in turn, with its shared secret configured."""
    settings.TRAFFT_WEBHOOK_SECRET = SECRETS["trafft"]
    settings.CALCOM_WEBHOOK_SECRET = SECRETS["calcom"]
    return FakeBookingProvider(request.param, SECRETS[request.param], client)
