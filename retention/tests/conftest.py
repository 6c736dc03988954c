import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Contracts and accounting documents go to a fresh directory per test."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()
