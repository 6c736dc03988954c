"""Known vulnerabilities in the locked requirements, with pip-audit: run by bin/test in CI (SEC-03).

    python -m wekst.dependency_audit requirements/run.txt

Exit 1 when pip-audit reports a known vulnerability in a locked package. pip-audit asks PyPI's
vulnerability data (https://pypi.org/pypi/<name>/<version>/json) about each pinned version; where
that service cannot be reached or does not answer for a package (an offline machine, a mirror
without that API), the package is reported as not audited. That is a warning, so that an offline
run still tests the code, unless WEKST_DEPENDENCY_AUDIT_STRICT=1 makes it an error (for a CI
whose network is known to reach PyPI).
"""

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Summary:
    vulnerable: list[str]  # "name version: ID (fixed in ...)"
    not_audited: list[str]  # "name: why"
    audited: int


def summarise(report: dict) -> Summary:
    """What pip-audit's JSON report says, in three lists a person can read."""
    vulnerable, not_audited, audited = [], [], 0
    for dependency in report.get("dependencies", []):
        if dependency.get("skip_reason"):
            not_audited.append(f"{dependency['name']}: {dependency['skip_reason']}")
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            vulnerable.append(
                f"{dependency['name']} {dependency.get('version', '?')}: {vuln['id']} "
                f"(fixed in {fixed})"
            )
    return Summary(vulnerable=vulnerable, not_audited=not_audited, audited=audited)


def run_pip_audit(requirements: Path) -> tuple[int, dict | None, str]:
    """pip-audit on a hashed lock file (no resolution, no pip install): exit code, JSON, stderr."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "report.json"
        result = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--requirement",
                str(requirements),
                "--disable-pip",
                "--no-deps",
                "--progress-spinner",
                "off",
                "--timeout",
                "15",
                "--format",
                "json",
                "--output",
                str(output),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        report = (
            json.loads(output.read_text()) if output.exists() and output.stat().st_size else None
        )
    return result.returncode, report, result.stderr


def main(argv: list[str], *, runner=run_pip_audit, strict: bool | None = None) -> int:
    requirements = Path(argv[0] if argv else "requirements/run.txt")
    strict = os.environ.get("WEKST_DEPENDENCY_AUDIT_STRICT") == "1" if strict is None else strict
    code, report, stderr = runner(requirements)
    if report is None:
        last = stderr.strip().splitlines()[-1:] or ["(no output)"]
        print(f"pip-audit could not audit {requirements}: {last[0]}", file=sys.stderr)
        return 1 if strict or code not in (0, 1) else 0
    summary = summarise(report)
    for line in summary.vulnerable:
        print(f"KNOWN VULNERABILITY: {line}", file=sys.stderr)
    if summary.not_audited:
        print(
            f"pip-audit: {len(summary.not_audited)} of "
            f"{len(summary.not_audited) + summary.audited} packages in {requirements} were NOT "
            "audited (the vulnerability service did not answer for them):",
            file=sys.stderr,
        )
        for line in summary.not_audited:
            print(f"  {line}", file=sys.stderr)
    if summary.vulnerable:
        return 1
    if summary.not_audited and strict:
        return 1
    print(f"pip-audit: no known vulnerability in the {summary.audited} packages it could audit.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
