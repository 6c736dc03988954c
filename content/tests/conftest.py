import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limits(fresh_rate_limits):
    """Every test here starts with no submission counted (wekst.testing)."""


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads go to a directory of the test's own, read back from disk by the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
