"""deploy/Caddyfile on loopback, in front of a bench server: the site as visitors get it.

Production answers through Caddy (docs/deploy.md): it compresses what the app answers (`encode
zstd gzip`), sends the static files from the brotli and gzip files collectstatic wrote, and adds
the headers Django does not set. A browser measured against the app server alone would get
uncompressed HTML that no visitor gets. This runs the deployment's own Caddyfile, its four
WEKST_CADDY_* placeholders pointed at loopback (plain HTTP: no certificate on loopback), so the
proxy measured is the proxy deployed. Debian's package: `apt-get install caddy`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

from common import OUT, ROOT
from server import free_port, stop, wait_until_ready

CADDYFILE = ROOT / "deploy" / "Caddyfile"


def caddy() -> str | None:
    return shutil.which("caddy")


@contextmanager
def running_proxy(upstream_port: int, *, static_root: Path, media_root: Path, name: str):
    """Caddy with deploy/Caddyfile on a free loopback port; yields its base URL."""
    port, admin = free_port(), free_port()
    home = OUT / f"caddy-{name}"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "WEKST_CADDY_SITE": f"http://127.0.0.1:{port}",
        "WEKST_CADDY_UPSTREAM": f"127.0.0.1:{upstream_port}",
        "WEKST_CADDY_STATIC": str(static_root),
        "WEKST_CADDY_MEDIA": str(media_root),
        # Caddy's admin endpoint and its own files, away from this user's defaults.
        "CADDY_ADMIN": f"127.0.0.1:{admin}",
        "XDG_DATA_HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
    }
    log_path = OUT / f"caddy-{name}.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(  # noqa: S603
            [caddy() or "caddy", "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(process, f"{url}/health/web/", name="caddy", seconds=30, log_path=log_path)
        yield url
    finally:
        stop(process, seconds=10)
