"""Fixtures of the campaigns' tests."""

import pytest


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Clinic agreements go to a fresh directory per test."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.WEKST_PRIVATE_FILES_ROOT
