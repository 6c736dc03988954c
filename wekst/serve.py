"""The production web server: granian serving wekst.wsgi, with its settings in one place.

    python -m wekst.serve                          # 127.0.0.1:8000, behind the reverse proxy
    python -m wekst.serve --host 0.0.0.0 --port 8080

Granian parses HTTP in Rust and hands each request to a pool of threads running Django; under
the load benchmark it served 10-15 % more form submissions than gunicorn's threaded workers on
the same two cores, and about twice the requests of a trivial page (docs/benchmarks.md, "Profiling,
and what was changed").

No access log, whatever granian's own environment variables say: its lines would carry the full
client address. The site logs each request itself with the address truncated
(wekst.ip.RequestLogMiddleware; CON-05, docs/consent.md).
"""

import argparse
import os

from granian import Granian
from granian.constants import Interfaces

# Four threads per process overlap the waits on PostgreSQL and Redis. On two cores, 2×2, 2×4, 3×3
# and 2×8 processes × threads differed less than the noise of bench/run (docs/benchmarks.md).
THREADS_PER_WORKER = 4


def server(*, host: str, port: int, workers: int, threads: int) -> Granian:
    return Granian(
        "wekst.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        # A thread keeps its database connection (CONN_MAX_AGE): let idle ones live long.
        blocking_threads_idle_timeout=600,
        websockets=False,
        backlog=2048,
        log_access=False,
        # A worker that dies (out of memory, a crash in a library) is replaced, not mourned.
        respawn_failed_workers=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default=os.environ.get("WEKST_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEKST_PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1),
        help="processes (WEB_CONCURRENCY; default one per core)",
    )
    parser.add_argument("--threads", type=int, default=THREADS_PER_WORKER)
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wekst.settings")
    server(
        host=options.host, port=options.port, workers=options.workers, threads=options.threads
    ).serve()


if __name__ == "__main__":
    main()
