"""Our own request logs keep truncated IP addresses only (CON-05, checklist CK-16)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from wekst import serve
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


def test_con_05_the_production_server_keeps_no_access_log():
    configured = serve.server(host="127.0.0.1", port=8000, workers=1, threads=1)

    assert configured.log_access is False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_con_05_the_server_prints_no_access_line_even_when_asked_to(tmp_path):
    """Run the real server (python -m wekst.serve) with granian's own switch for an access log
    set in its environment: only our truncated line is printed."""
    port = _free_port()
    log = tmp_path / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WEKST_"))}
    env.update(DJANGO_ENV="test", DJANGO_SETTINGS_MODULE="wekst.settings", GRANIAN_ACCESS_LOG="1")
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603 - our own server on our own code
            [sys.executable, "-m", "wekst.serve", "--port", str(port), "--workers", "1"],
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
            server.wait(timeout=20)
    output = log.read_text()

    assert "GET /cookies/ 200" in output  # our own line, which proves the request was served
    assert "127.0.0.0" in output
    # granian's access line: [time] 127.0.0.1 - "GET /cookies/ HTTP/1.1" 200 1.234
    assert "127.0.0.1 - " not in output
    assert '"GET /cookies/' not in output
