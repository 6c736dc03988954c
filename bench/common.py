"""What bench/load.py and bench/soak.py share: the bench database, the production server, wrk.

The server is the production setup (docs/benchmarks.md): `python -m wekst.serve` (granian),
DJANGO_ENV=production with a throwaway secret key, static files collected and served by
WhiteNoise, Redis for the rate-limit counters when one answers on 127.0.0.1:6379. Only two
things differ from a real deployment, both said in the report: no TLS on loopback
(DJANGO_SECURE_SSL_REDIRECT=0), and the rate limits raised so that one client address may send
thousands of forms (BENCH_RATE_LIMIT, default 1,000,000,000 per window).

All load goes to 127.0.0.1, from wrk, for a bounded time.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = ROOT / "bench" / "wrk"
OUT = Path(tempfile.gettempdir()) / "wekst-bench"
PYTHON = sys.executable
# The same databases as bench/rights_bench.py, never the test suite's.
SQLITE_PATH = Path(tempfile.gettempdir()) / "wekst_bench.sqlite3"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_NAME = "wekst_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
RATE_LIMIT = os.environ.get("BENCH_RATE_LIMIT", "1000000000")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def database_url(kind: str) -> str:
    """The bench database of this kind; the PostgreSQL one is created if missing."""
    if kind == "sqlite":
        return f"sqlite:///{SQLITE_PATH}"
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{PG_NAME}"')
    return f"{PG_SERVER}/{PG_NAME}"


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


def server_env(kind: str, *, use_redis: bool) -> dict[str, str]:
    """The environment of the production server, and of the manage.py commands that set it up."""
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # throwaway, for this run only
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # no TLS on loopback
        "WEKST_SITE_URL": "https://wekst.example",  # the public address links in email use
        "DATABASE_URL": database_url(kind),
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
        env["REDIS_URL"] = REDIS_URL
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


def _query(env: dict[str, str], sql: str, params: tuple = ()) -> int:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchone()[0]
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(sql, params).fetchone()[0]


def settle(env: dict[str, str]) -> None:
    """Let the database finish what the seeding left for later (vacuum, statistics, the
    checkpoint), so that the load is not measured against a bulk load's aftermath."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("ANALYZE")
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
        connection.execute("CHECKPOINT")


def count_rows(env: dict[str, str], table: str) -> int:
    return _query(env, f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own table names


def count_stored(env: dict[str, str], scenario: str, *, run_id: str, since: datetime) -> int:
    """Rows this run stored: its leads (their address carries the run id, common.lua), or the
    consent decisions made since it started. Other runs' rows, and other benchmarks using the
    same database at the same time, do not count."""
    if scenario == "contact":
        return _query(
            env, "SELECT count(*) FROM leads_lead WHERE email LIKE %s", (f"kari.{run_id}-%",)
        )
    if scenario == "consent":
        if env["DATABASE_URL"].startswith("sqlite:///"):
            # Django keeps SQLite times as UTC text, which sorts as time does.
            value = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        else:
            value = since
        return _query(
            env, "SELECT count(*) FROM consent_consentdecision WHERE decided_at >= %s", (value,)
        )
    raise ValueError(scenario)


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


def rss_kib(pid: int) -> int:
    """Resident memory of one process, in KiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ValueError(f"no VmRSS for {pid}")


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
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped at start; see {log_path}")
            try:
                with urllib.request.urlopen(f"{server.url}/", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200 and len(server.worker_pids()) == options.workers:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within 60 s; see {log_path}")
            time.sleep(0.3)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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


def machine() -> dict[str, str]:
    """What the figures were measured on."""

    def out(*command: str) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
            return done.stdout
        except OSError:
            return ""

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    memory = out("free", "-h").splitlines()
    return {
        "nproc": out("nproc").strip(),
        "cpu": cpu,
        "memory": memory[1].split()[1] if len(memory) > 1 else "?",
        "free_h": "\n".join(memory),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "postgresql": out("psql", "--version").split()[2] if shutil.which("psql") else "",
        "wrk": out("wrk", "--version").splitlines()[0] if shutil.which("wrk") else "",
    }


# Which processes a CPU second belongs to, by the command name in /proc/<pid>/stat.
PROCESS_KINDS = {"postgres": "database", "redis-server": "redis"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(web_pids: set[int]) -> dict[str, float]:
    """CPU seconds (user and system) used so far, summed per kind of process.

    web: the server's processes; database, redis: by name; wrk: this process's waited-for
    children (wrk has exited by the time it is read); other: everything else on the machine,
    kernel threads included. The difference of two readings around a run, divided by its
    requests, is what one request cost each of them.
    """
    seconds = dict.fromkeys(("web", "database", "redis", "other"), 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone since the listing
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        kind = "web" if int(entry.name) in web_pids else PROCESS_KINDS.get(name, "other")
        seconds[kind] += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    children = os.times()
    seconds["wrk"] = children.children_user + children.children_system
    return seconds


def speed_reference_ms() -> float:
    """Milliseconds of CPU for a fixed pure-Python workload, best of five (less is faster).

    It does not touch the project, so it measures the machine only: runs on different machines,
    or on the same shared machine at different hours, compare by it (docs/benchmarks.md).
    """
    people = [
        {"id": n, "email": f"person{n}@klinikk.example", "tags": ["lead"]} for n in range(200)
    ]
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(200):
            text = json.dumps(people)
            json.loads(text)
            re.findall(r"person(\d+)@", text)
            sorted(people, key=lambda person: person["email"][::-1])
        best = min(best, time.process_time() - started)
    return round(best * 1000, 1)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def utc_now() -> datetime:
    return datetime.now(UTC)


def replace_section(path: Path, marker: str, text: str) -> None:
    """Write `text` between `<!-- marker -->` and `<!-- /marker -->` in `path`, re-read just
    before writing, leaving every other section (other developers' too) as it is."""
    start, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{start}\n{text.rstrip()}\n{end}"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        after = rest.split(end, 1)[1]
        updated = before + block + after
    else:
        updated = current.rstrip() + "\n\n" + block + "\n"
    path.write_text(updated)
