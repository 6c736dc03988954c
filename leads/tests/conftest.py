import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in the cache, which outlives a test: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_inbox(settings):
    settings.WEKST_STAFF_EMAILS = ["sales@wekst.test", "owner@wekst.test"]
    return settings.WEKST_STAFF_EMAILS
