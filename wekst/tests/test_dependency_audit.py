"""The dependency audit fails on a known vulnerability and says plainly what it could not check."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from wekst.dependency_audit import audit_latest_release, main, summarise

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


def unreachable(requirements):
    """What pip-audit reports where PyPI's per-version data cannot be reached: every pin skipped."""
    names = [line.split("==")[0] for line in requirements.read_text().splitlines() if "==" in line]
    return 1, {"dependencies": [{"name": n, "skip_reason": "not found"} for n in names]}, ""


# PyPI's project pages as they answer (shape of https://pypi.org/pypi/<name>/json, trimmed).
PROJECT_PAGES = {
    "ecdsa": {
        "info": {"version": "0.19.2"},
        "vulnerabilities": [
            {"id": "GHSA-wj6h-64fc-37mp", "fixed_in": [], "withdrawn": None},
            {"id": "PYSEC-2020-0000", "fixed_in": ["0.14"], "withdrawn": "2021-01-01T00:00:00Z"},
        ],
    },
    "django": {"info": {"version": "6.1.3"}, "vulnerabilities": []},
}


@pytest.fixture
def pypi():
    """A local HTTP server answering like PyPI's project pages; its URL template."""

    class ProjectPage(BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.split("/")[2]
            if name not in PROJECT_PAGES:
                self.send_error(404)
                return
            body = json.dumps(PROJECT_PAGES[name]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), ProjectPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/pypi/{{name}}/json"
    server.shutdown()
    server.server_close()


def lock_file(tmp_path, *pins):
    path = tmp_path / "run.txt"
    path.write_text("".join(f"{pin} \\\n    --hash=sha256:00\n" for pin in pins))
    return path


def via(url):
    return lambda name, version: audit_latest_release(name, version, url=url, timeout=5)


def test_sec_03_a_known_vulnerability_fails_the_audit(capsys):
    assert main(["requirements/run.txt"], runner=fake(VULNERABLE, code=1)) == 1
    assert "KNOWN VULNERABILITY: pillow 9.0.0: PYSEC-2022-10 (fixed in 9.0.1)" in (
        capsys.readouterr().err
    )


def test_sec_03_a_clean_report_passes(capsys):
    clean = {"dependencies": [{"name": "django", "version": "6.1.3", "vulns": []}]}
    assert main(["requirements/run.txt"], runner=fake(clean), strict=True) == 0
    assert "no known vulnerability in the 1 packages audited" in capsys.readouterr().out


def test_sec_03_packages_not_audited_are_named_and_fail_only_when_strict(capsys):
    offline = {"latest_release": lambda name, version: "PyPI's project page did not answer"}
    assert main(["requirements/run.txt"], runner=fake(UNREACHABLE), strict=False, **offline) == 0
    assert "1 of 1 packages in requirements/run.txt were NOT audited" in capsys.readouterr().err
    assert main(["requirements/run.txt"], runner=fake(UNREACHABLE), strict=True, **offline) == 1


def test_sec_03_no_report_at_all_is_an_error_when_strict(capsys):
    runner = fake(None, code=1, stderr="ConnectionError: could not resolve pypi.org")
    assert main(["requirements/run.txt"], runner=runner, strict=True) == 1
    assert "could not resolve pypi.org" in capsys.readouterr().err


def test_sec_03_summary_counts_audited_packages():
    summary = summarise(VULNERABLE)
    assert summary.audited == 2 and summary.not_audited == {}


def test_sec_03_the_audit_reads_the_locked_run_requirements():
    root = Path(__file__).resolve().parents[2]
    script = (root / "bin" / "test").read_text()
    assert "python -m wekst.dependency_audit requirements/run.txt" in script
    assert "==" in (root / "requirements" / "run.txt").read_text()


def test_sec_03_a_package_pip_audit_skipped_is_checked_on_pypis_project_page(
    pypi, tmp_path, capsys
):
    requirements = lock_file(tmp_path, "Django==6.1.3", "ecdsa==0.19.2")
    assert main([str(requirements)], runner=unreachable, latest_release=via(pypi), strict=True) == 1
    err = capsys.readouterr().err
    assert "KNOWN VULNERABILITY: ecdsa 0.19.2: GHSA-wj6h-64fc-37mp (fixed in no fix yet)" in err
    assert "PYSEC-2020-0000" not in err  # withdrawn advisories do not count
    assert "NOT audited" not in err


def test_sec_03_the_project_page_clears_a_clean_latest_release(pypi, tmp_path, capsys):
    requirements = lock_file(tmp_path, "django==6.1.3")
    assert main([str(requirements)], runner=unreachable, latest_release=via(pypi), strict=True) == 0
    assert "no known vulnerability in the 1 packages audited" in capsys.readouterr().out


def test_sec_03_an_older_pin_is_not_audited_from_the_latest_releases_data(pypi, tmp_path, capsys):
    requirements = lock_file(tmp_path, "django==6.1.2", "gone==1.0")
    assert (
        main([str(requirements)], runner=unreachable, latest_release=via(pypi), strict=False) == 0
    )
    err = capsys.readouterr().err
    assert "2 of 2 packages" in err
    assert "pinned 6.1.2, but PyPI's project page only speaks for the latest release (6.1.3)" in err
    assert "gone: not found; PyPI's project page did not answer (HTTP Error 404" in err
    assert main([str(requirements)], runner=unreachable, latest_release=via(pypi), strict=True) == 1
