"""The dependency audit fails on a known vulnerability and says plainly what it could not check."""

from pathlib import Path

from wekst.dependency_audit import main, summarise

VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "6.1.3", "vulns": []},
        {
            "name": "pillow",
            "version": "9.0.0",
            "vulns": [{"id": "PYSEC-2022-10", "fix_versions": ["9.0.1"], "aliases": []}],
        },
    ]
}
UNREACHABLE = {
    "dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    ]
}


def fake(report, code=0, stderr=""):
    return lambda requirements: (code, report, stderr)


def test_sec_03_a_known_vulnerability_fails_the_audit(capsys):
    assert main(["requirements/run.txt"], runner=fake(VULNERABLE, code=1)) == 1
    assert "KNOWN VULNERABILITY: pillow 9.0.0: PYSEC-2022-10 (fixed in 9.0.1)" in (
        capsys.readouterr().err
    )


def test_sec_03_a_clean_report_passes(capsys):
    clean = {"dependencies": [{"name": "django", "version": "6.1.3", "vulns": []}]}
    assert main(["requirements/run.txt"], runner=fake(clean), strict=True) == 0
    assert "no known vulnerability in the 1 packages it could audit" in capsys.readouterr().out


def test_sec_03_packages_not_audited_are_named_and_fail_only_when_strict(capsys):
    assert main(["requirements/run.txt"], runner=fake(UNREACHABLE), strict=False) == 0
    assert "1 of 1 packages in requirements/run.txt were NOT audited" in capsys.readouterr().err
    assert main(["requirements/run.txt"], runner=fake(UNREACHABLE), strict=True) == 1


def test_sec_03_no_report_at_all_is_an_error_when_strict(capsys):
    runner = fake(None, code=1, stderr="ConnectionError: could not resolve pypi.org")
    assert main(["requirements/run.txt"], runner=runner, strict=True) == 1
    assert "could not resolve pypi.org" in capsys.readouterr().err


def test_sec_03_summary_counts_audited_packages():
    summary = summarise(VULNERABLE)
    assert summary.audited == 2 and summary.not_audited == []


def test_sec_03_the_audit_reads_the_locked_run_requirements():
    root = Path(__file__).resolve().parents[2]
    script = (root / "bin" / "test").read_text()
    assert "python -m wekst.dependency_audit requirements/run.txt" in script
    assert "==" in (root / "requirements" / "run.txt").read_text()
