"""Known vulnerabilities in the locked requirements, with pip-audit: run by bin/test in CI (SEC-03).

    python -m wekst.dependency_audit requirements/run.txt

Exit 1 when a locked package has a known vulnerability. pip-audit asks PyPI's vulnerability data
about each pinned version (https://pypi.org/pypi/<name>/<version>/json). Some networks only let
PyPI's project page through (https://pypi.org/pypi/<name>/json, this project's build machines
among them); that page carries the same vulnerability data, but for the latest release only. So a
package pip-audit could not check is checked there when its pin is the latest release; any other
package is reported as not audited. Not audited is a warning, so that an offline run still tests
the code, unless WEKST_DEPENDENCY_AUDIT_STRICT=1 makes it an error (for a CI whose network is known
to reach PyPI's per-version data).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PYPI_PROJECT_URL = "https://pypi.org/pypi/{name}/json"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


@dataclass
class Summary:
    vulnerable: list[str] = field(default_factory=list)  # "name version: ID (fixed in ...)"
    not_audited: dict[str, str] = field(default_factory=dict)  # name → why
    audited: int = 0


def summarise(report: dict) -> Summary:
    """What pip-audit's JSON report says, in three lists a person can read."""
    summary = Summary()
    for dependency in report.get("dependencies", []):
        if dependency.get("skip_reason"):
            summary.not_audited[normalise(dependency["name"])] = dependency["skip_reason"]
            continue
        summary.audited += 1
        for vuln in dependency.get("vulns", []):
            summary.vulnerable.append(
                vulnerability_line(
                    dependency["name"],
                    dependency.get("version", "?"),
                    vuln["id"],
                    vuln.get("fix_versions", []),
                )
            )
    return summary


def vulnerability_line(name: str, version: str, vuln_id: str, fixed_in: list[str]) -> str:
    return f"{name} {version}: {vuln_id} (fixed in {', '.join(fixed_in) or 'no fix yet'})"


def pins(requirements: Path) -> dict[str, str]:
    """Package name → pinned version, from a lock file of `name==version` lines."""
    return {normalise(name): version for name, version in PIN.findall(requirements.read_text())}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def audit_latest_release(
    name: str, version: str, *, url: str = PYPI_PROJECT_URL, timeout: float = 15
) -> list[str] | str:
    """Known vulnerabilities of `name==version` from PyPI's project page: a list of lines when
    the pin is the latest release (the only one that page speaks for), else why it could not say."""
    try:
        with urllib.request.urlopen(url.format(name=name), timeout=timeout) as response:  # noqa: S310 - fixed https URL or a test's
            project = json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        return f"PyPI's project page did not answer ({error})"
    latest = project.get("info", {}).get("version")
    if latest != version:
        return (
            f"pinned {version}, but PyPI's project page only speaks for the latest release "
            f"({latest}); refresh the lock or audit from a network that reaches per-version data"
        )
    return [
        vulnerability_line(name, version, vuln["id"], vuln.get("fixed_in") or [])
        for vuln in project.get("vulnerabilities") or []
        if not vuln.get("withdrawn")
    ]


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


def audit(requirements: Path, report: dict, *, latest_release=audit_latest_release) -> Summary:
    """pip-audit's findings, with every package it skipped checked on PyPI's project page."""
    summary = summarise(report)
    pinned = pins(requirements)
    for name in [name for name in summary.not_audited if name in pinned]:
        found = latest_release(name, pinned[name])
        if isinstance(found, str):
            summary.not_audited[name] += f"; {found}"
        else:
            del summary.not_audited[name]
            summary.audited += 1
            summary.vulnerable.extend(found)
    return summary


def main(
    argv: list[str],
    *,
    runner=run_pip_audit,
    latest_release=audit_latest_release,
    strict: bool | None = None,
) -> int:
    requirements = Path(argv[0] if argv else "requirements/run.txt")
    strict = os.environ.get("WEKST_DEPENDENCY_AUDIT_STRICT") == "1" if strict is None else strict
    code, report, stderr = runner(requirements)
    if report is None:
        last = stderr.strip().splitlines()[-1:] or ["(no output)"]
        print(f"pip-audit could not audit {requirements}: {last[0]}", file=sys.stderr)
        return 1 if strict or code not in (0, 1) else 0
    summary = audit(requirements, report, latest_release=latest_release)
    for line in summary.vulnerable:
        print(f"KNOWN VULNERABILITY: {line}", file=sys.stderr)
    if summary.not_audited:
        print(
            f"dependency audit: {len(summary.not_audited)} of "
            f"{len(summary.not_audited) + summary.audited} packages in {requirements} were NOT "
            "audited:",
            file=sys.stderr,
        )
        for name, why in summary.not_audited.items():
            print(f"  {name}: {why}", file=sys.stderr)
    if summary.vulnerable:
        return 1
    if summary.not_audited and strict:
        return 1
    print(f"dependency audit: no known vulnerability in the {summary.audited} packages audited.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
