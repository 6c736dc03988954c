import pytest


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Contracts and accounting documents go to a fresh directory per test."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(fresh_rate_limits):
    """Every test here starts with no submission counted (wekst.testing)."""
