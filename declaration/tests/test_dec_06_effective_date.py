"""A significant version takes effect only after the declared notice (DEC-06, TP-05).

The effective date is checked at start-up, so a significant change cannot be deployed without the
time to tell the people concerned; each refusal names the version.
"""

import copy
import datetime
import os
import subprocess
import sys

import pytest
import yaml

from declaration.schema import SIGNIFICANT_CHANGE_NOTICE, DeclarationError, parse_declaration
from declaration.tests.versioning import DECLARATION_FILE, _real_data, version

ROOT = DECLARATION_FILE.parents[1]
# A point of the test's own: these checks compare dates within the declaration, not with today.
START = datetime.date(2031, 3, 2)


def parsed(*versions: dict):
    data = copy.deepcopy(_real_data())
    data["versions"] = list(versions)
    return parse_declaration(data)


def problems(*versions: dict) -> list[str]:
    with pytest.raises(DeclarationError) as caught:
        parsed(*versions)
    return caught.value.problems


def test_dec_06_the_real_declarations_significant_versions_give_the_declared_notice():
    declaration = parsed(*_real_data()["versions"])
    for entry in declaration.versions:
        if entry.significant:
            assert entry.effective_date - entry.date >= SIGNIFICANT_CHANGE_NOTICE, entry.version


def test_dec_06_a_significant_version_without_an_effective_date_is_refused_naming_it():
    found = problems(version("2031.1", START, significant=True))

    assert any(
        p.startswith("versions.2031.1: is marked significant, so it needs an effective_date")
        for p in found
    ), found


def test_tp_05_a_significant_version_taking_effect_too_soon_is_refused_with_the_days():
    soon = START + SIGNIFICANT_CHANGE_NOTICE - datetime.timedelta(days=1)
    found = problems(version("2031.1", START, significant=True, effective_date=soon))

    assert (
        f"versions.2031.1: effective_date {soon} is only 13 day(s) after its date {START}"
        in (found[0])
    )


def test_tp_05_an_effective_date_before_the_publication_date_is_refused():
    found = problems(version("2031.1", START, effective_date=START - datetime.timedelta(days=1)))

    assert found == [
        f"versions.2031.1: effective_date {START - datetime.timedelta(days=1)} is before its "
        f"date {START}"
    ]


def test_tp_05_an_effective_date_that_is_not_a_date_is_refused():
    found = problems(version("2031.1", START, significant=True, effective_date="soon"))

    assert found == ["versions.2031.1: effective_date must be a date (YYYY-MM-DD)"]


def test_tp_05_the_declared_notice_is_enough_and_a_minor_version_takes_effect_at_once():
    enough = START + SIGNIFICANT_CHANGE_NOTICE
    declaration = parsed(
        version("2031.2", START + datetime.timedelta(days=1)),
        version("2031.1", START, significant=True, effective_date=enough),
    )

    assert declaration.versions[1].takes_effect == enough
    assert declaration.current.takes_effect == START + datetime.timedelta(days=1)


def test_dec_06_manage_py_check_refuses_a_significant_version_without_notice(tmp_path):
    data = yaml.safe_load(DECLARATION_FILE.read_text(encoding="utf-8"))
    data["versions"][0]["significant"] = True
    data["versions"][0]["effective_date"] = data["versions"][0]["date"]
    broken = tmp_path / "declaration.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    name = data["versions"][0]["version"]

    result = subprocess.run(  # noqa: S603 - our own manage.py, run by this interpreter
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_ENV": "test", "WEKST_DECLARATION_PATH": str(broken)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert f"versions.{name}: effective_date" in result.stderr
    assert "a significant change takes effect at least 14 days after it is published" in (
        result.stderr
    )
