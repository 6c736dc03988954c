"""The kept database connection's health check over TLS (ADR 0014; SEC-03, SEC-05).

`wekst.postgresql` takes an idle connection whose socket has anything to read as ended by the
server. Over TLS the server might send records of its own accord (TLS 1.3's session tickets
after the handshake, for one): if they reached an idle connection's socket, every request would
replace a good connection. This starts its OWN PostgreSQL cluster, taking TCP connections over
TLS only (bench/fault_servers.py; never the machine's server), connects as a production web
process does (`sslmode=require`), and checks that the connection is found usable right after
connecting and after each idle time given, still the same server process, and found unusable
once the server ended it. Exit 1 when any check fails.

    .venv/bin/python bench/tls_health_check.py                  # idle 0, 1, 5, 30 and 70 s
    .venv/bin/python bench/tls_health_check.py --idle 0,1 --report /tmp/tls.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from fault_servers import own_postgres  # noqa: E402
from server import server_env  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--idle", default="0,1,5,30,70", help="seconds, comma-separated")
    parser.add_argument("--report", type=Path, help="the checks as JSON")
    options = parser.parse_args()
    idle = [float(seconds) for seconds in options.idle.split(",")]
    with own_postgres(tls=True) as postgres:
        common.log(f"own PostgreSQL over TLS only on {postgres.port}")
        os.environ.update(server_env("postgres", use_redis=False, database=postgres.url))
        os.environ["DJANGO_SETTINGS_MODULE"] = "wekst.settings"
        sys.path.insert(0, str(common.ROOT))
        checks = _checks(idle)
    for check in checks:  # printed, not logged: Django set the process's clock to Oslo time
        print(f"{'ok  ' if check['ok'] else 'FAIL'} {check['what']}: {check['found']}")
    if options.report:
        options.report.write_text(json.dumps(checks, indent=2))
    return 0 if all(check["ok"] for check in checks) else 1


def _checks(idle: list[float]) -> list[dict]:
    import django

    django.setup()
    from django.db import connections

    checks = []

    def check(what: str, found, ok: bool) -> None:
        checks.append({"what": what, "found": found, "ok": ok})

    kept = connections.create_connection("default")  # as a web process keeps it (CONN_MAX_AGE)
    kept.ensure_connection()
    kept.health_check_enabled = True
    # Before any query of ours: TLS 1.3's session tickets follow the handshake.
    usable = kept.is_usable()
    check("usable right after connecting", usable, usable)
    check(
        "the backend",
        kept.settings_dict["ENGINE"],
        kept.settings_dict["ENGINE"] == "wekst.postgresql",
    )
    with kept.cursor() as cursor:
        cursor.execute("SELECT ssl, version, pid FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        over_tls, version, pid = cursor.fetchone()
    check("the connection is over TLS", version if over_tls else "no", over_tls)
    for seconds in idle:
        time.sleep(seconds)
        usable = kept.is_usable()
        with kept.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            same = cursor.fetchone()[0] == pid
        check(
            f"usable after {seconds:g} s idle, the same server process",
            [usable, same],
            usable and same,
        )
    ender = connections.create_connection("default")
    with ender.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    ender.close()
    deadline = time.monotonic() + 5
    while kept.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)  # the server's FATAL message and the close reach the socket
    ended = not kept.is_usable()
    check("unusable once the server ended it", ended, ended)
    kept.close()
    return checks


if __name__ == "__main__":
    raise SystemExit(main())
