"""The deployment recipe (deploy/) for tests: its environment file and units read as systemd reads
them, and the production processes they start, run with that environment adapted to a test
(wekst/tests/test_deploy.py)."""

import configparser
import contextlib
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from dkim import dknewkey

from wekst.tests import redis_store

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
TEMPLATE = DEPLOY / "wekst.env.example"
UNITS = {name: DEPLOY / f"wekst-{name}.service" for name in ("web", "worker", "scheduler")}
SETTING = re.compile(r"^#?([A-Z][A-Z0-9_]*)=(.*)$")


def template_settings() -> dict[str, str | None]:
    """Every setting the template names: its value, or None where the line is commented out."""
    names = {}
    for line in TEMPLATE.read_text().splitlines():
        if match := SETTING.match(line.strip()):
            names[match.group(1)] = None if line.startswith("#") else match.group(2)
    return names


def readme_rows() -> list[list[str]]:
    """The variable names of each row of README's settings table, as written (`_PER_IP`, `X_*`)."""
    text = (ROOT / "README.md").read_text()
    table = text.split("| variable | default | meaning |", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[2:]:
        first_cell = line.split("|")[1]
        rows.append(re.findall(r"`([A-Z_][A-Z0-9_*]*)`", first_cell))
    return rows


def expansions(full: str, suffix: str) -> set[str]:
    """What `full` / `_SUFFIX` stands for: the suffix in place of as many words of the full name
    (`X_PER_IP` / `_PER_ADDRESS`), or after it (`WEKST_DEPENDENCY_AUDIT` / `_STRICT`)."""
    words = full.split("_")
    replaced = "_".join(words[: len(words) - suffix.count("_")]) + suffix
    return {replaced, full + suffix}


def settings_read_by_the_code() -> set[str]:
    source = (ROOT / "wekst" / "settings.py").read_text()
    return set(re.findall(r"env(?:_list|_bool)?\(\s*\"([A-Z0-9_]+)\"", source))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(tmp: Path, **overrides: str) -> dict[str, str]:
    """The template's settings with sample values where it leaves them to the operator, and what
    a test must adapt: the database, Redis, the shared files and mail under `tmp`, loopback."""
    key = tmp / "dkim.pem"
    if not key.exists():
        dknewkey.GenRSAKeys(str(key), verbose=False)
    shared = tmp / "shared"  # what docs/deploy.md puts on the storage every host mounts
    env = {
        name: os.environ[name]
        for name in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")
        if name in os.environ
    }
    env.update({name: value for name, value in template_settings().items() if value is not None})
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        REDIS_URL=redis_store.URL,
        CACHE_KEY_PREFIX=redis_store.new_prefix("deploy"),
        MEDIA_ROOT=str(shared / "media"),
        WEKST_PRIVATE_FILES_ROOT=str(shared / "private"),
        WEKST_ERASURE_LEDGER_PATH=str(shared / "ledger" / "erasure-ledger.jsonl"),
        DKIM_PRIVATE_KEY_PATH=str(key),
        EMAIL_HOST="127.0.0.1",
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS="0",
        WEB_CONCURRENCY="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own command on our own code
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def first_install(env: dict[str, str], cwd: Path = ROOT) -> None:
    """docs/deploy.md's first install, the steps a test can take: migrate, the processor
    register, and the email provider's agreement, which staff record in the back office (PRO-02)
    and a test puts on record with a stand-in."""
    for args in (
        ("migrate", "--no-input", "-v0"),
        ("sync_processor_register", "-v0"),
        (
            "shell",
            "-c",
            "from processors.testing import put_on_record; put_on_record('email_provider')",
        ),
    ):
        done = manage(env, *args, cwd=cwd)
        assert done.returncode == 0, done.stderr


def unit_sections(path: Path) -> dict[str, dict[str, str]]:
    """A unit file's sections as systemd reads them (keys keep their case)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(path)
    return {name: dict(parser[name]) for name in parser.sections()}


def unit_service(name: str) -> dict[str, str]:
    return unit_sections(UNITS[name])["Service"]


def unit_command(name: str, *, python: str) -> list[str]:
    """The unit's ExecStart as systemd runs it: `$$` is a `$`, `%%` a `%`; the venv's python is
    the test's."""
    line = unit_service(name)["ExecStart"].replace("$$", "$").replace("%%", "%")
    return [part.replace("/srv/wekst/venv/bin/python", python) for part in shlex.split(line)]


def checkout(destination: Path) -> Path:
    """A host's own copy of the code (what `git clone` gives it), nothing else of this one."""
    git = shutil.which("git")
    files = subprocess.run(  # noqa: S603 - git on our own repository
        [git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, files.split("\0")):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


@contextlib.contextmanager
def started(command: list[str], *, cwd: Path, env: dict[str, str], log: Path):
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - a unit's own command on our own code
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_until(condition, *, seconds: float, what: str, processes=()):
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(requests.ConnectionError):
            if result := condition():
                return result
        dead = [p.args for p in processes if p.poll() is not None]
        assert not dead, f"exited while waiting for {what}: {dead}"
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.3)


class Visitor:
    """A browser behind the proxy: HTTPS as far as Django knows (X-Forwarded-Proto, as Caddy
    sends), cookies kept by hand because requests keeps Secure cookies for https URLs only."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        response = requests.request(
            method,
            url,
            headers=headers,
            cookies=self.cookies,
            allow_redirects=False,
            timeout=20,
            **kwargs,
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def post_form(self, url: str, data: dict[str, str], **headers: str) -> requests.Response:
        page = self.request("GET", url, headers=headers)
        assert page.status_code == 200, page.text[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        https_url = re.sub(r"^http:", "https:", url)
        return self.request(
            "POST",
            url,
            data={"csrfmiddlewaretoken": token, **data},
            headers={"Referer": https_url, **headers},
        )
