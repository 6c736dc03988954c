import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limits(fresh_rate_limits):
    """Every test here starts with no submission counted (wekst.testing)."""


@pytest.fixture
def staff_inbox(settings):
    settings.WEKST_STAFF_EMAILS = ["sales@wekst.test", "owner@wekst.test"]
    return settings.WEKST_STAFF_EMAILS
