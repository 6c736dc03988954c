"""The PostgreSQL and the Redis that bench/faults.py breaks (its own, never the machine's), the
worker it keeps running and the SMTP server that worker sends to; and the PostgreSQL over TLS
that bench/tls_health_check.py checks the kept connection's health check against.

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
    """A throwaway PostgreSQL cluster: trust authentication on 127.0.0.1 only. With `tls`, TCP
    connections are taken over TLS only (a self-signed certificate), as a managed database
    asks, and its URL says `sslmode=require`."""

    def __init__(self, directory: Path, *, tls: bool = False):
        self.directory = directory
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        self.port = free_port()
        self.tls = tls

    @property
    def url(self) -> str:
        url = f"postgres://postgres@127.0.0.1:{self.port}/wekst_faults"
        return f"{url}?sslmode=require" if self.tls else url

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
        if self.tls:
            self._take_tls_only()
        self.start()
        self._run(
            _pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "wekst_faults",
        )  # fmt: skip

    def _take_tls_only(self) -> None:
        key, certificate = self.data / "server.key", self.data / "server.crt"
        openssl = shutil.which("openssl")
        if openssl is None:
            raise RuntimeError("openssl not found: apt-get install -y openssl")
        subprocess.run(  # noqa: S603
            [openssl, "req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", str(key), "-out", str(certificate)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        key.chmod(0o600)  # PostgreSQL refuses a key others may read
        if os.geteuid() == 0:
            for path in (key, certificate):
                shutil.chown(path, "postgres", "postgres")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("ssl = on\n")
        # Rewritten in place, so it keeps its owner: without "hostssl", a plain TCP connection
        # finds no line and is refused.
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n"
        )


@contextmanager
def own_postgres(*, tls: bool = False):
    """An OwnPostgres, created in a temporary directory, stopped and removed at the end."""
    with _own_directory() as directory:
        postgres = OwnPostgres(directory, tls=tls)
        try:
            postgres.create()
            yield postgres
        finally:
            with suppress(subprocess.CalledProcessError):
                postgres.stop()


@contextmanager
def _own_directory():
    directory = Path(tempfile.mkdtemp(prefix="wekst-servers-"))
    if os.geteuid() == 0:  # initdb and pg_ctl run as the postgres user (_as_postgres)
        shutil.chown(directory, "postgres", "postgres")
        directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


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
    with own_postgres() as postgres:
        redis = OwnRedis(postgres.directory)
        try:
            redis.start()
            yield postgres, redis
        finally:
            redis.stop()


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
