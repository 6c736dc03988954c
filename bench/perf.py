"""The hot paths measured where the figures are stable: in process, against floors (issue 23).

    bench/run perf                        # PostgreSQL (wekst_bench), Redis when it answers
    bench/run perf --gate                 # ... and fail when a budget (bench/budgets.toml) is broken
    python bench/perf.py --database sqlite --no-callgrind

For each scenario (bench/perf_requests.py) sent to the production WSGI application in one warmed
process, with the production settings and the bench URL configuration (bench/perf_urls.py):

- instructions per request, counted by valgrind's callgrind around the measured requests only
  (a marker library toggles the instrumentation: --instr-atstart=no, then CALLGRIND_START /
  DUMP per scenario), as a ratio to the scenario's floor. Repeatable to a few in 10,000, whatever
  else the machine runs;
- CPU per request of this process (time.process_time over many requests, taken in rounds that
  interleave the scenarios, so that each ratio compares figures taken under the same load), as
  a ratio too;
- SQL statements per request (as Django's CaptureQueriesContext counts them: BEGIN and COMMIT are
  not statements there, SAVEPOINT and RELEASE are) and Redis round trips per request.

Writes /tmp/wekst-bench/perf.json; --write-docs puts the table into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from common import OUT, PYTHON, ROOT, log, replace_section  # noqa: E402

BUDGETS = BENCH / "budgets.toml"
CPU_ROUNDS = 10
MARKER_C = r"""
#include <valgrind/callgrind.h>
int wekst_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
void wekst_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void wekst_stop(const char *name) { CALLGRIND_DUMP_STATS_AT(name); CALLGRIND_STOP_INSTRUMENTATION; }
"""


# The measuring process ----------------------------------------------------------------------


def marker() -> ctypes.CDLL:
    """The marker library (compiled once with the C compiler and valgrind's callgrind.h)."""
    path = OUT / "callgrind-marker.so"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        source = OUT / "callgrind-marker.c"
        source.write_text(MARKER_C)
        subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", path, source], check=True)  # noqa: S603, S607
    return ctypes.CDLL(str(path))


class Counting:
    """Counts SQL statements and Redis round trips while entered (wekst/testing.py's counters)."""

    def __enter__(self):
        from django.db import connection

        from wekst.budgets import count_redis_calls

        self.redis_counter = count_redis_calls()
        self.redis_calls = self.redis_counter.__enter__()
        self.sql = 0
        self.wrapper = connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)
        self.redis_counter.__exit__(*exc)

    @property
    def redis(self) -> int:
        return self.redis_calls.count

    def __call__(self, execute, sql, params, many, context):
        self.sql += 1
        return execute(sql, params, many, context)


def _chosen(name: str, only: str) -> bool:
    """--only "contact,home": the scenarios whose names begin with one of the comma-separated
    words (a name may hold a comma itself: "home, returning visitor" is chosen by "home")."""
    return any(name.startswith(part.strip()) for part in only.split(",") if part.strip())


def measure(options: argparse.Namespace) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "perf_settings"
    import django

    django.setup()
    import perf_requests
    from django.conf import settings

    if settings.PEER:
        from cookie_consent.models import CookieGroup

        for key in ("analytics", "marketing", "embedded"):
            CookieGroup.objects.get_or_create(varname=key, defaults={"name": key})
    cg = marker() if options.callgrind else None
    results = {}
    chosen = []
    for scenario in perf_requests.scenarios(peer=settings.PEER):
        if options.only and scenario.floor and not _chosen(scenario.name, options.only):
            continue
        for _ in range(options.warmup):
            answer = scenario.request()
            if answer.status != scenario.expect:
                raise SystemExit(f"{scenario.name}: {answer.status}, not {scenario.expect}")
        if cg is not None:
            n = options.callgrind_requests
            # The production process's collector runs after every 20,000 new objects
            # (wekst/wsgi.py): where its passes fall depends on what ran before. Emptied
            # first, each scenario's window holds the passes its own requests cause, the same
            # in every run; else one pass more or less moved a figure by a tenth.
            gc.collect()
            cg.wekst_start()
            for _ in range(n):
                scenario.request()
            cg.wekst_stop(scenario.name.encode())
            results[scenario.name] = {"floor": scenario.floor, "calls": n, "must": scenario.must}
            continue
        with Counting() as counting:
            for _ in range(20):
                scenario.request()
        chosen.append(scenario)
        results[scenario.name] = {
            "floor": scenario.floor,
            "must": scenario.must,
            "cpu_ms": 0.0,
            "sql": counting.sql / 20,
            "redis": counting.redis / 20,
        }
    # CPU in rounds, every scenario a share of its requests in each: measured one after the
    # other, a scenario and its floor (or the peer) were timed minutes apart, and the load the
    # other processes on the shared cores put on the CPU's caches and clock in between moved a
    # ratio by a third from one run to the next (docs/benchmarks.md).
    rounds = max(1, min(CPU_ROUNDS, options.requests))
    share = options.requests // rounds
    for _ in range(rounds):
        for scenario in chosen:
            started = time.process_time()
            for _ in range(share):
                scenario.request()
            results[scenario.name]["cpu_ms"] += (time.process_time() - started) * 1000
    for scenario in chosen:
        results[scenario.name]["cpu_ms"] /= share * rounds
    return results


# The driver ---------------------------------------------------------------------------------


def environment(options: argparse.Namespace) -> dict[str, str]:
    from database import database_url
    from server import manage, prepare, redis_answers, server_env

    env = server_env(options.database, use_redis=redis_answers() and not options.no_redis)
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
        if options.database_url.startswith("postgres"):
            import psycopg

            server, name = options.database_url.rsplit("/", 1)
            with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
                if not connection.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [name]
                ).fetchone():
                    connection.execute(f'CREATE DATABASE "{name}"')
    elif options.database == "postgres":
        env["DATABASE_URL"] = database_url("postgres")
    env["WEKST_FIRST_VISIT_CACHE_SECONDS"] = "60"  # as production
    bench_env = {
        **env,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        "DJANGO_SETTINGS_MODULE": "perf_settings",
    }
    if not options.no_prepare:
        log(f"preparing {env['DATABASE_URL']} as a deployment, then the peer's tables")
        prepare(env)
        manage(bench_env, "migrate", "--no-input", "--verbosity", "0", "--skip-checks")
    return bench_env


def child(env: dict[str, str], options: argparse.Namespace, *, callgrind: bool) -> dict:
    args = [
        "--child",
        "--warmup",
        str(options.warmup),
        "--requests",
        str(options.requests),
        "--callgrind-requests",
        str(options.callgrind_requests),
        "--only",
        options.only,
    ]
    command = [PYTHON, str(BENCH / "perf.py"), *args]
    out_dir = OUT / "callgrind"
    if callgrind:
        out_dir.mkdir(parents=True, exist_ok=True)
        for old in out_dir.glob("callgrind.out*"):
            old.unlink()
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out_dir}/callgrind.out",
            "--dump-line=no",
            *command,
            "--callgrind",
        ]
    done = subprocess.run(  # noqa: S603
        command, env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"the measuring process failed ({done.returncode})")
    results = json.loads((OUT / "perf-child.json").read_text())
    if callgrind:
        for dump in out_dir.glob("callgrind.out.*"):
            text = dump.read_text(errors="replace")
            name = next(x for x in text.splitlines() if x.startswith("desc: Trigger:"))
            name = name.split("Client Request: ", 1)[1].strip()
            total = next(
                int(x.split()[1])
                for x in text.splitlines()
                if x.startswith(("totals:", "summary:"))
            )
            results[name]["instructions"] = total / results[name]["calls"]
    return results


def ratios(figures: dict) -> dict:
    for values in figures.values():
        floor = figures.get(values["floor"]) if values["floor"] else None
        must = figures.get(values.get("must") or "")
        for key in ("instructions", "cpu_ms"):
            if floor and key in values and key in floor:
                values[f"{key}_ratio"] = values[key] / floor[key]
            if must and key in values and key in must:
                values[f"{key}_vs_must"] = values[key] / must[key]
    peer = figures.get("peer decision")
    if peer and "consent decision" in figures:
        for key in ("instructions", "cpu_ms"):
            if key in peer and key in figures["consent decision"]:
                figures["consent decision"][f"{key}_vs_peer"] = (
                    figures["consent decision"][key] / peer[key]
                )
    return figures


def table(figures: dict) -> str:
    lines = [
        "| scenario | floor | instructions / request | ÷ floor | CPU ms / request | ÷ floor | SQL | Redis |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, v in figures.items():
        instr = f"{v['instructions']:,.0f}" if "instructions" in v else "-"
        ir = f"{v['instructions_ratio']:.2f}×" if "instructions_ratio" in v else "-"
        cpu = f"{v['cpu_ms']:.3f}" if "cpu_ms" in v else "-"
        cr = f"{v['cpu_ms_ratio']:.2f}×" if "cpu_ms_ratio" in v else "-"
        sql = f"{v['sql']:g}" if "sql" in v else "-"
        redis = f"{v['redis']:g}" if "redis" in v else "-"
        lines.append(
            f"| {name} | {v['floor'] or '-'} | {instr} | {ir} | {cpu} | {cr} | {sql} | {redis} |"
        )
    consent = figures.get("consent decision", {})
    for key, label in (("instructions_vs_peer", "instructions"), ("cpu_ms_vs_peer", "CPU")):
        if key in consent:
            lines.append(f"\nConsent decision {label} ÷ the peer's: {consent[key]:.2f}×")
    for name, v in figures.items():
        if "instructions_vs_must" in v or "cpu_ms_vs_must" in v:
            ratios = ", ".join(
                f"{label} {v[key]:.2f}×"
                for key, label in (
                    ("instructions_vs_must", "instructions"),
                    ("cpu_ms_vs_must", "CPU"),
                )
                if key in v
            )
            lines.append(f"\n{name[0].upper()}{name[1:]} ÷ {v['must']}, what it must do: {ratios}")
    return "\n".join(lines)


def gate(figures: dict) -> list[str]:
    """What breaks a budget of bench/budgets.toml (the ratio goals, with their margin)."""
    budgets = tomllib.loads(BUDGETS.read_text())
    margin = 1 + budgets["margin"]
    broken = []
    for goal in budgets["goal"]:
        if not goal.get("gate", True):
            continue
        value = figures.get(goal["scenario"], {}).get(goal["measure"])
        if value is None:
            continue
        if "at_most" in goal and value > goal["at_most"] * margin:
            broken.append(f"{goal['scenario']} {goal['measure']} {value:.2f} > {goal['at_most']}")
    return broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--requests", type=int, default=1000, help="for CPU per request")
    parser.add_argument("--callgrind-requests", type=int, default=40)
    parser.add_argument("--no-callgrind", action="store_true")
    parser.add_argument(
        "--only",
        default="",
        help="the scenarios (and floors) whose names begin so, comma-separated",
    )
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--no-prepare", action="store_true", help="the database is set up")
    parser.add_argument("--gate", action="store_true", help="exit 1 when a budget is broken")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--callgrind", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        (OUT / "perf-child.json").write_text(json.dumps(measure(options)))
        return 0
    env = environment(options)
    log("CPU, SQL and Redis per request")
    figures = child(env, options, callgrind=False)
    if not options.no_callgrind:
        log("instructions per request (callgrind)")
        for name, values in child(env, options, callgrind=True).items():
            figures[name]["instructions"] = values["instructions"]
    figures = ratios(figures)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "perf.json").write_text(json.dumps(figures, indent=2))
    text = table(figures)
    print(text)
    if options.write_docs:
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        header = f"Measured {stamp} with `bench/run perf --write-docs` ({options.database}).\n\n"
        replace_section(ROOT / "docs" / "benchmarks.md", "bench/perf", header + text)
    if options.gate:
        broken = gate(figures)
        for line in broken:
            print(f"over budget: {line}", file=sys.stderr)
        return 1 if broken else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
