"""Load from wrk: one bounded run against the server on 127.0.0.1, and its figures.

The Lua scripts in bench/wrk/ say what each simulated browser sends; common.lua prints one JSON
line of figures, read here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass

from common import ROOT

WRK_DIR = ROOT / "bench" / "wrk"


def csrf_pair(url: str) -> tuple[str, str]:
    """(cookie, token) as a browser keeps them after showing the contact form."""
    with urllib.request.urlopen(f"{url}/contact/", timeout=10) as answer:  # noqa: S310
        page = answer.read().decode()
        cookies = answer.headers.get_all("Set-Cookie") or []
    cookie = next(c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken="))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    return cookie, token


@dataclass
class WrkResult:
    sent: dict[str, int]
    requests: int
    seconds: float
    errors: dict[str, int]
    latency_ms: dict[str, float]
    raw: str

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def run_wrk(
    script: str,
    url: str,
    *,
    connections: int,
    seconds: int,
    threads: int = 2,
    env: dict[str, str] | None = None,
    timeout_seconds: int = 10,
) -> WrkResult:
    """One bounded wrk run against `url` (loopback only); its figures."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("bench load goes to 127.0.0.1 only")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is missing: apt-get install -y wrk (bench/run does)")
    command = [
        wrk,
        "--threads",
        str(min(threads, connections)),
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        f"{timeout_seconds}s",
        "--script",
        str(WRK_DIR / script),
        url,
    ]
    run_env = {
        **os.environ,
        "BENCH_WRK_DIR": str(WRK_DIR),
        "BENCH_WRK_THREADS": str(min(threads, connections)),
        **(env or {}),
    }
    done = subprocess.run(  # noqa: S603
        command, env=run_env, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    return WrkResult(
        sent=data["sent"],
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=data["errors"],
        latency_ms={k: v / 1000 for k, v in data["latency_us"].items()},
        raw=done.stdout,
    )
