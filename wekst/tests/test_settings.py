"""Production settings fail safe: no start without a secret key, and DEBUG off by default."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `python -c code` in the repository with only the given Django and Wekst variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WEKST_"))}
    return subprocess.run(  # noqa: S603 - the interpreter running the tests, on our own code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "wekst.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("import django; django.setup()", DJANGO_ENV="production")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required in production" in result.stderr


def test_production_is_the_default_environment():
    result = run_python("import django; django.setup()")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_defaults_turn_debug_off_and_cookies_secure():
    code = (
        "import json; from django.conf import settings; print(json.dumps({name: getattr(settings, "
        "name) for name in ('DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE')}))"
    )
    result = run_python(
        code, DJANGO_ENV="production", DJANGO_SECRET_KEY="a-real-secret-for-this-test"
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }
