"""Fixtures of the marketing tests."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limits(fresh_rate_limits):
    """Every test starts with no submission counted (wekst.testing)."""


@pytest.fixture(autouse=True)
def ledger_path(settings, tmp_path):
    """Each test writes its own erasure ledger."""
    settings.WEKST_ERASURE_LEDGER_PATH = tmp_path / "ledger" / "erasure-ledger.jsonl"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
