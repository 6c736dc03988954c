"""Fixtures of the clinics' tests."""

import pytest


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Agreements and accounting documents go to a fresh directory per test."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.WEKST_PRIVATE_FILES_ROOT
