"""The production server under load: its environment, its set-up, and starting and stopping it.

The server is the production setup (docs/benchmarks.md): `python -m wekst.serve` (granian),
DJANGO_ENV=production with a throwaway secret key, static files collected and served by
WhiteNoise, Redis for the rate-limit counters when one answers on 127.0.0.1:6379. Only two
things differ from a real deployment, both said in the report: no TLS on loopback
(DJANGO_SECURE_SSL_REDIRECT=0), and the rate limits raised so that one client address may send
thousands of forms (BENCH_RATE_LIMIT, default 1,000,000,000 per window).
"""

from __future__ import annotations

import os
import re
import runpy
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from common import OUT, PYTHON, ROOT
from database import database_url

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
RATE_LIMIT = os.environ.get("BENCH_RATE_LIMIT", "1000000000")


def redis_answers() -> bool:
    match = re.match(r"redis://([^:/]+):(\d+)", REDIS_URL)
    if not match:
        return False
    try:
        with socket.create_connection((match[1], int(match[2])), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def server_env(
    kind: str, *, use_redis: bool, database: str = "", redis_url: str = ""
) -> dict[str, str]:
    """The environment of the production server, and of the manage.py commands that set it up;
    `database` and `redis_url` replace the bench database and Redis (bench/faults.py's own)."""
    # The test suite's browser fixture allows async-unsafe ORM calls while Chromium is up; a
    # server started from a test must still be the production one (check --deploy refuses it).
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # throwaway, for this run only
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # no TLS on loopback
        "WEKST_SITE_URL": "https://wekst.example",  # the public address links in email use
        "DATABASE_URL": database or database_url(kind),
        # Raised for the bench only: every request comes from one address, 127.0.0.1.
        "LEADS_RATE_LIMIT_PER_IP": RATE_LIMIT,
        "LEADS_RATE_LIMIT_PER_ADDRESS": RATE_LIMIT,
        "CONSENT_RATE_LIMIT_PER_IP": RATE_LIMIT,
        # Files the production defaults would put in the working tree.
        "WEKST_ERASURE_LEDGER_PATH": str(OUT / f"erasure-ledger-{kind}.jsonl"),
        "WEKST_PRIVATE_FILES_ROOT": str(OUT / "private"),
        "MEDIA_ROOT": str(OUT / "media"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("REDIS_URL", None)
    if use_redis:
        env["REDIS_URL"] = redis_url or REDIS_URL
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def prepare(env: dict[str, str]) -> None:
    """Migrate, fill the processor register and collect static files, as a deployment does.

    Production refuses to run the email integration without the email provider's agreement on
    record (processors.checks, PRO-02); a deployment records its real one in the back office,
    the bench database gets a stand-in.
    """
    manage(env, "migrate", "--no-input", "--verbosity", "0", "--skip-checks")
    manage(env, "sync_processor_register", "--verbosity", "0", "--skip-checks")
    manage(
        env,
        "shell",
        "--command",
        "from processors.testing import put_on_record; put_on_record('email_provider')",
    )
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    manage(env, "check", "--deploy", "--fail-level", "ERROR")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The production server's threads per process (wekst/serve.py), read without importing the project.
THREADS_PER_WORKER = runpy.run_path(str(ROOT / "wekst" / "serve.py"))["THREADS_PER_WORKER"]


@dataclass
class ServerOptions:
    """wekst.serve's processes and threads, unless BENCH_WORKERS / BENCH_THREADS say others."""

    workers: int = int(os.environ.get("BENCH_WORKERS") or os.cpu_count() or 1)
    threads: int = int(os.environ.get("BENCH_THREADS") or THREADS_PER_WORKER)

    def describe(self) -> str:
        return f"granian (wekst.serve), {self.workers} workers × {self.threads} threads"


@dataclass
class Server:
    """A running server: its main process and its address."""

    process: subprocess.Popen
    port: int
    log_path: Path
    options: ServerOptions = field(default_factory=ServerOptions)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return sorted(int(pid) for pid in children.read_text().split())


@contextmanager
def running_server(env: dict[str, str], options: ServerOptions, *, name: str):
    """The production server (python -m wekst.serve), stopped with SIGTERM when done."""
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = OUT / f"server-{name}.log"
    command = [
        PYTHON,
        "-m",
        "wekst.serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(options.workers),
        "--threads",
        str(options.threads),
    ]
    with log_path.open("w") as log_file:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    server = Server(process, port, log_path, options)
    try:
        wait_until_ready(
            process,
            f"{server.url}/",
            lambda: len(server.worker_pids()) == options.workers,
            name="the server",
            seconds=60,
            log_path=log_path,
        )
        yield server
    finally:
        stop(process, seconds=30)


def wait_until_ready(
    process: subprocess.Popen,
    url: str,
    ready: Callable[[], bool] = lambda: True,
    *,
    name: str,
    seconds: float,
    log_path: Path,
) -> None:
    """Until `url` answers 200 and `ready()` holds; RuntimeError if the process stops first or
    `seconds` pass."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped at start; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310
                if answer.status == 200 and ready():
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not answer within {seconds:g} s; see {log_path}")
        time.sleep(0.3)


def stop(process: subprocess.Popen, *, seconds: float) -> None:
    """SIGTERM, then SIGKILL if it has not ended within `seconds`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
