"""An invalid declaration stops the site from starting (DEC-01), naming the entry."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DECLARATION_FILE = ROOT / "declaration" / "declaration.yaml"


def manage_py_check(declaration_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_ENV": "test", "WEKST_DECLARATION_PATH": str(declaration_path)}
    return subprocess.run(  # noqa: S603 - our own manage.py, run by the interpreter running the tests
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_dec_01_manage_py_check_refuses_an_invalid_declaration_naming_the_entry(tmp_path):
    data = yaml.safe_load(DECLARATION_FILE.read_text(encoding="utf-8"))
    del data["activities"]["newsletter"]["legal_basis"]
    broken = tmp_path / "declaration.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    result = manage_py_check(broken)

    assert result.returncode != 0
    assert "activities.newsletter: legal_basis is missing" in result.stderr


def test_dec_01_manage_py_check_accepts_a_valid_declaration_named_by_the_environment(tmp_path):
    # The same round trip without the break starts, so the refusal above is the break's doing.
    data = yaml.safe_load(DECLARATION_FILE.read_text(encoding="utf-8"))
    intact = tmp_path / "declaration.yaml"
    intact.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    result = manage_py_check(intact)

    # (Other system checks may still fail while a change is in progress; this is about start-up.)
    assert "The declaration of processing is invalid" not in result.stderr, result.stderr
    assert "ImproperlyConfigured" not in result.stderr, result.stderr


def test_dec_01_manage_py_check_refuses_a_declaration_that_cannot_be_read(tmp_path):
    result = manage_py_check(tmp_path / "missing.yaml")

    assert result.returncode != 0
    assert "missing.yaml: cannot be read" in result.stderr
