"""Consent settings are checked at start-up (CON-05, CON-08)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from consent.selectors import GA_COOKIE_EXPIRES_SECONDS
from declaration.selectors import get_declaration

ROOT = Path(__file__).resolve().parents[2]


def start(**env: str) -> subprocess.CompletedProcess:
    """Start Django in a fresh interpreter with only the given Django and consent variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "WEKST_", "CONSENT_", "GA4_"))
    }
    return subprocess.run(  # noqa: S603 - the interpreter running the tests, on our own code
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "wekst.settings", "DJANGO_ENV": "test", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("days", ["366", "400", "0", "-1"])
def test_con_08_a_consent_lifetime_over_12_months_or_under_a_day_stops_start_up(days):
    result = start(CONSENT_MAX_AGE_DAYS=days)

    assert result.returncode != 0
    assert "CONSENT_MAX_AGE_DAYS" in result.stderr
    assert "at most 12 months" in result.stderr


def test_con_08_twelve_months_starts():
    assert start(CONSENT_MAX_AGE_DAYS="365").returncode == 0


def test_con_05_a_malformed_measurement_id_stops_start_up():
    result = start(GA4_MEASUREMENT_ID='G-1"><script>')

    assert result.returncode != 0
    assert "GA4_MEASUREMENT_ID" in result.stderr
    assert start(GA4_MEASUREMENT_ID="G-ABC123XYZ").returncode == 0


def test_con_05_ga_cookies_live_as_long_as_the_declaration_says():
    declared = {c.name: c.lifetime.en for c in get_declaration().cookies}
    months = int(re.fullmatch(r"(\d+) months", declared["_ga"]).group(1))

    assert declared["_ga_<container-id>"] == declared["_ga"]
    # Months of an average year (365.25 / 12 days), rounded down to whole days: 13 months = 395.
    assert int(months * 365.25 / 12) * 86400 == GA_COOKIE_EXPIRES_SECONDS
