"""Our own request logs keep truncated IP addresses only (CON-05, checklist CK-16)."""

import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from wekst.ip import truncate_ip

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("address", "truncated"),
    [
        ("192.0.2.123", "192.0.2.0"),
        ("10.1.2.255", "10.1.2.0"),
        (" 198.51.100.7 ", "198.51.100.0"),
        ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"),
        ("2001:db8:ffff:ffff::1", "2001:db8:ffff::"),
        ("::ffff:203.0.113.77", "203.0.113.0"),
        ("fe80::1%eth0", "fe80::"),
        ("", None),
        (None, None),
        ("not an address", None),
        ("203.0.113.77, 10.0.0.1", None),
    ],
)
def test_con_05_truncate_ip_keeps_ipv4_24_and_ipv6_48_bits(address, truncated):
    assert truncate_ip(address) == truncated


@pytest.mark.django_db
def test_con_05_the_request_log_has_method_path_status_duration_and_truncated_ip_only(
    client, caplog
):
    caplog.set_level("INFO", logger="wekst.requests")

    client.get(
        "/cookies/?email=someone@example.com",
        REMOTE_ADDR="198.51.100.77",
        headers={"User-Agent": "Secret-Browser/1.0", "Referer": "https://ref.example/"},
    )

    [record] = [r for r in caplog.records if r.name == "wekst.requests"]
    message = record.getMessage()
    method, path, status, duration, ip = message.split(" ")
    assert (method, path, status, ip) == ("GET", "/cookies/", "200", "198.51.100.0")
    assert duration.endswith("ms")
    for secret in ("198.51.100.77", "someone@example.com", "Secret-Browser", "ref.example"):
        assert secret not in message


def test_con_05_gunicorn_conf_turns_its_access_log_off():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    assert config["accesslog"] is None
    assert config["disable_redirect_access_to_syslog"] is True
    assert "%(h)s" not in config["access_log_format"]
    assert config["logger_class"].access(None, None, None, None, None) is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_con_05_gunicorn_prints_no_access_line_even_when_asked_to(tmp_path):
    """Run the real gunicorn with our config and --access-logfile: only our truncated line."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WEKST_"))}
    env.update(DJANGO_ENV="test", DJANGO_SETTINGS_MODULE="wekst.settings")
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn on our own code
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/cookies/?q=1") as r:  # noqa: S310
                        assert r.status == 200
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=10)
    output = log.read_text()

    assert "GET /cookies/ 200" in output  # our own line, which proves the request was served
    assert "127.0.0.0" in output
    assert '"GET /cookies/?q=1 HTTP/1.1"' not in output  # gunicorn's access line
    assert "127.0.0.1 - -" not in output
