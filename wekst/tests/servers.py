"""Production server processes for tests: `python -m wekst.serve` on a free loopback port, with a
database of its own (a migrated SQLite file) so that several processes share it."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def server_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a test server: test settings and a database and files under `tmp`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WEKST_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_ENV="test",
        DJANGO_SETTINGS_MODULE="wekst.settings",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        WEKST_ERASURE_LEDGER_PATH=str(tmp / "ledger.jsonl"),
        WEKST_PRIVATE_FILES_ROOT=str(tmp / "private"),
        MEDIA_ROOT=str(tmp / "media"),
        **extra,
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own command on our own code
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=300
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_servers(env: dict[str, str], log_dir: Path, count: int = 1) -> Iterator[list[str]]:
    """Start `count` production server processes (one worker each); yield their base URLs."""
    processes, urls = [], []
    try:
        for number in range(count):
            port = _free_port()
            log = (log_dir / f"server-{number}.log").open("w")
            processes.append(
                subprocess.Popen(  # noqa: S603 - the production server on our own code
                    [sys.executable, "-m", "wekst.serve", "--port", str(port), "--workers", "1"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, processes, strict=True):
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(f"{url}/cookies/", timeout=5)
                    break
                except requests.ConnectionError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
