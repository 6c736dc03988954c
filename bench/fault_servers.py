"""The PostgreSQL and the Redis that bench/faults.py breaks (its own, never the machine's), the
worker it keeps running and the SMTP server that worker sends to.

Each runs from a temporary directory on a free port and is removed at the end. PostgreSQL's
initdb and pg_ctl refuse to run as root, so when this runs as root they run as the `postgres`
user (runuser). The machine's own servers (5432, 6379), which others use, are never touched.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import common
from server import free_port


def _pg_bin(name: str) -> str:
    """The newest installed PostgreSQL's program `name` (initdb, pg_ctl are not on PATH on Debian)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found: install PostgreSQL's server package")
    return path


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class OwnPostgres:
    """A throwaway PostgreSQL cluster: trust authentication on 127.0.0.1 only."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/wekst_faults"

    def _run(self, *args: str) -> None:
        subprocess.run(_as_postgres(list(args)), check=True, capture_output=True, timeout=120)  # noqa: S603

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.directory} -c fsync=on"
        )
        pg_ctl = _pg_bin("pg_ctl")
        self._run(pg_ctl, "start", "-w", "-D", str(self.data), "-l", str(self.log), "-o", options)

    def restart(self) -> float:
        """`pg_ctl restart -m fast` (every connection cut, then started again): seconds it took."""
        began = time.monotonic()
        self._run(
            _pg_bin("pg_ctl"),
            "restart",
            "-w",
            "-m",
            "fast",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
        )
        return time.monotonic() - began

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data))

    def create(self) -> None:
        self._run(
            _pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"
        )
        self.start()
        self._run(
            _pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "wekst_faults",
        )  # fmt: skip


class OwnRedis:
    """A throwaway redis-server, nothing written to disk."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server not found: apt-get install -y redis-server")
        command = [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.directory)]
        log = (self.directory / "redis.log").open("a")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + 10
        while not _answers(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def own_servers():
    """(PostgreSQL, Redis), started in a temporary directory, stopped and removed at the end."""
    directory = Path(tempfile.mkdtemp(prefix="wekst-faults-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        directory.chmod(0o755)
    postgres, redis = OwnPostgres(directory), OwnRedis(directory)
    try:
        postgres.create()
        redis.start()
        yield postgres, redis
    finally:
        redis.stop()
        with suppress(subprocess.CalledProcessError):
            postgres.stop()
        shutil.rmtree(directory, ignore_errors=True)


class MailSink:
    """The SMTP server the worker sends the staff notifications to: takes every message."""

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        return "250 OK"


class Worker:
    """manage.py db_worker as its systemd unit runs it, started again whenever it exits."""

    def __init__(self, env: dict[str, str]):
        self.env, self.process, self.restarts = env, None, 0
        self.log = (common.OUT / "faults-worker.log").open("w")

    def ensure(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        if self.process is not None:
            self.restarts += 1
        command = [common.PYTHON, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"]
        command += ["--verbosity", "0", "--worker-id", f"faults:{self.restarts}"]
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=common.ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
