"""The load benchmark behind bench/run: the production server under wrk, on SQLite and PostgreSQL.

For each database: set it up as a deployment does (migrate, processor register, collectstatic),
top the data up to --subjects with bench/seed.py and let the database settle (VACUUM ANALYZE,
CHECKPOINT), start the production server (wekst.serve), and measure with wrk at each number of
concurrent clients; then, with the server stopped, time access export and erasure against the
number of subjects with bench/rights_bench.py (on databases of its own):

- home:    GET / as a first visit (no cookie);
- contact: a valid POST /contact/ with the CSRF cookie and token of a fetched form, every
           submission different; the leads stored are counted;
- consent: POST /consent/ as consent.js sends it (same-origin Fetch Metadata, JSON answer); the
           decisions stored are counted, which gives decisions stored per second.

Every scenario gets a short warm-up first. A run counts as an error any connection or read
error, timeout, status other than 2xx/3xx, and any submission answered but not stored. Results go
to /tmp/wekst-bench/results-<database>.json and, with --write-docs, to docs/benchmarks.md between
its `bench/run` markers. See docs/benchmarks.md for the targets and how to read the figures.
`bench/load.py ratio` (bench/run ratio) runs bench/ratio_load.py instead: consent ÷ floor-INSERT.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import ratio_load  # noqa: E402
import resources  # noqa: E402
from database import count_rows, count_stored, settle  # noqa: E402
from server import ServerOptions, prepare, redis_answers, running_server, server_env  # noqa: E402
from wrk_runs import csrf_pair, run_wrk  # noqa: E402

SCENARIOS = {
    "home": ("home.lua", False),
    "contact": ("contact.lua", True),  # True: each request stores a row, which is counted
    "consent": ("consent.lua", True),
}
LABELS = {"home": "home page GET", "contact": "contact form POST", "consent": "consent POST"}
# Targets of issue 9, on 2 cores with PostgreSQL.
TARGETS = {"home": 1000, "contact": 300, "consent": 1000}
CONTACT_P99_MS = 100


@dataclass
class Measurement:
    database: str
    scenario: str
    clients: int
    requests: int
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_detail: dict
    stored: int | None
    stored_per_second: float | None
    not_stored: int
    offered_rate: float | None = None  # a paced run: requests per second sent, on average
    # CPU milliseconds per request during the measured run, per kind of process
    # (resources.cpu_seconds): what a request costs, which changes less with the load than req/s.
    cpu_ms: dict[str, float] = field(default_factory=dict)


def rights_figures(kind: str, sizes: list[int]) -> list[dict]:
    """bench/rights_bench.py at each size, if it exists (issue 5): its report lines."""
    script = common.ROOT / "bench" / "rights_bench.py"
    if not script.exists() or not sizes:
        return []
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV", "DATABASE_URL")}
    figures = []
    for size in sizes:
        common.log(f"{kind}: rights_bench.py --subjects {size}")
        done = subprocess.run(  # noqa: S603
            # --reseed: a database left with another size would not measure this one. Fewer
            # repeats for a small one, whose subjects it picks 30 apart.
            [
                *(common.PYTHON, str(script), "--database", kind, "--subjects", str(size)),
                *("--reseed", "--repeat", "21" if size >= 1320 else "10"),
            ],
            cwd=common.ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [
            line.strip()
            for line in done.stdout.splitlines()
            if re.match(r"\s*(access export|erasure)\s", line)
        ]
        if done.returncode != 0:
            lines.append(f"failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
        for line in lines:
            print(f"    {line}", flush=True)
        figures.append({"subjects": size, "lines": lines})
    return figures


def measure_one(
    kind: str, env, server, wrk_env, options, scenario: str, clients: int, rate: int | None
) -> Measurement:
    """One scenario at one number of clients: a warm-up, then a measured wrk run and the count of
    what it stored. With `rate`, the clients send that many requests per second between them
    (a paced run, bench/wrk/common.lua) instead of as many as the server answers."""
    script, stores = SCENARIOS[scenario]
    paced = {"BENCH_RATE": str(rate)} if rate else {}
    run_env = {**wrk_env, **paced, "BENCH_RUN_ID": uuid.uuid4().hex[:10]}
    run_wrk(script, server.url, connections=clients, seconds=options.warmup, env=run_env)
    time.sleep(1)  # the warm-up's last requests finish before the count starts
    run_id = uuid.uuid4().hex[:10]
    run_env["BENCH_RUN_ID"] = run_id
    since = common.utc_now()
    web_pids = {server.process.pid, *server.worker_pids()}
    cpu_before = resources.cpu_seconds(web_pids)
    result = run_wrk(script, server.url, connections=clients, seconds=options.duration, env=run_env)
    cpu_after = resources.cpu_seconds(web_pids)
    time.sleep(1)  # requests still in flight when wrk stopped finish
    stored = count_stored(env, scenario, run_id=run_id, since=since) if stores else None
    answered = result.requests - result.error_count
    # Every submission answered without error must be stored: one answered but not stored (a
    # form error page, a lost write) counts as an error.
    not_stored = max(answered - stored, 0) if stored is not None else 0
    measurement = Measurement(
        database=kind,
        scenario=scenario,
        clients=clients,
        requests=result.requests,
        seconds=round(result.seconds, 2),
        rate=round(result.rate, 1),
        p50_ms=round(result.latency_ms["p50"], 1),
        p99_ms=round(result.latency_ms["p99"], 1),
        max_ms=round(result.latency_ms["max"], 1),
        errors=result.error_count + not_stored,
        error_detail={k: v for k, v in result.errors.items() if v},
        stored=stored,
        stored_per_second=round(stored / result.seconds, 1) if stores else None,
        not_stored=not_stored,
        offered_rate=rate,
        cpu_ms={
            kind: round((cpu_after[kind] - cpu_before[kind]) * 1000 / max(result.requests, 1), 2)
            for kind in cpu_after
        },
    )
    stored_text = f", stored {stored} ({measurement.stored_per_second}/s)" if stores else ""
    offered = f" paced {rate}/s" if rate else ""
    common.log(
        f"{measurement.database} {scenario:<8} c={clients:<4}{offered} {measurement.rate:>8.1f} "
        f"req/s  p50 {measurement.p50_ms:>7.1f} ms  p99 {measurement.p99_ms:>7.1f} ms  "
        f"errors {measurement.errors}{stored_text}"
    )
    return measurement


def measure(kind: str, options) -> dict:
    use_redis = redis_answers() and not options.no_redis
    env = server_env(kind, use_redis=use_redis)
    common.log(f"{kind}: preparing {env['DATABASE_URL']} (redis: {use_redis})")
    prepare(env)
    subprocess.run(  # noqa: S603
        [common.PYTHON, "bench/seed.py", "--subjects", str(options.subjects)],
        cwd=common.ROOT,
        env=env,
        check=True,
    )
    subjects = count_rows(env, "subjects_subject")
    settle(env)
    server_options = ServerOptions(workers=options.workers, threads=options.threads)
    results: list[Measurement] = []
    load_before = resources.load_average()
    speed_before = resources.speed_reference_ms()
    with running_server(env, server_options, name=kind) as server:
        cookie, token = csrf_pair(server.url)
        wrk_env = {
            "BENCH_CSRF_COOKIE": cookie,
            "BENCH_CSRF_TOKEN": token,
            "BENCH_ORIGIN": server.url,
        }
        runs = [
            (scenario, clients, None)
            for scenario in options.scenarios
            for clients in options.clients
        ]
        runs += [
            (scenario, 50, rate)
            for scenario, rate in options.paced
            if scenario in options.scenarios
        ]
        for scenario, clients, rate in runs:
            results.append(
                measure_one(kind, env, server, wrk_env, options, scenario, clients, rate)
            )
        log_text = server.log_path.read_text(errors="replace")
    speed_after = resources.speed_reference_ms()
    tracebacks = log_text.count("Traceback")
    # After the load: its bulk seeding would otherwise still be vacuumed and checkpointed by
    # the database server while the load runs on the same cores.
    rights = rights_figures(kind, options.rights_subjects)
    return {
        "database": kind,
        "server": server_options.describe(),
        "redis": use_redis,
        "subjects": subjects,
        "rights": rights,
        "measurements": [asdict(m) for m in results],
        "server_tracebacks": tracebacks,
        "load_average_before": load_before,
        "load_average_after": resources.load_average(),
        "speed_before_ms": speed_before,
        "speed_after_ms": speed_after,
    }


def clients_text(m: dict) -> str:
    offered = m.get("offered_rate")
    return f"{m['clients']}, paced at {offered:,}/s" if offered else str(m["clients"])


def verdicts(report: dict) -> list[str]:
    """Each target of issue 9, met or missed, on the PostgreSQL figures at 50 clients.

    Throughput is read from the closed-loop runs (each client sends again as soon as it is
    answered: the most the server can do). The contact form's p99 is read from the paced run at
    the target rate: in a closed loop of 50 clients every request waits behind the other 49, so
    its latency is 50 / throughput by construction (Little's law) and says nothing about how fast
    a visitor is answered at a given load."""
    if report["database"] != "postgres":
        return []
    rows = {(m["scenario"], m["clients"], m.get("offered_rate")): m for m in report["measurements"]}
    lines = []
    for scenario, target in TARGETS.items():
        row = rows.get((scenario, 50, None))
        if row is None:
            continue
        value = row["stored_per_second"] if scenario == "consent" else row["rate"]
        ok = value >= target and row["errors"] == 0
        extra = ""
        if scenario == "contact":
            paced = rows.get((scenario, 50, target))
            if paced is None:
                ok, extra = False, f", p99 not measured at {target}/s (--paced contact={target})"
            else:
                ok = ok and paced["p99_ms"] < CONTACT_P99_MS and paced["errors"] == 0
                ok = ok and paced["rate"] >= 0.95 * target  # the pace was kept
                extra = (
                    f"; paced at {target}/s: {paced['rate']:,.0f} req/s answered, p99 "
                    f"{paced['p99_ms']} ms (target < {CONTACT_P99_MS} ms), "
                    f"{paced['errors']} errors"
                )
        unit = "decisions stored/s" if scenario == "consent" else "req/s"
        lines.append(
            f"- {LABELS[scenario]}: {value:,.0f} {unit} at 50 clients (target ≥ {target:,})"
            f", {row['errors']} errors{extra}: **{'met' if ok else 'missed'}**"
        )
    return lines


def markdown(reports: list[dict], command: str, machine: dict) -> str:
    lines = [
        "### Results of the last `bench/run`",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} with `{command}`.",
        "",
        f"Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']} memory; "
        f"Python {machine['python']}, SQLite {machine['sqlite']}, PostgreSQL "
        f"{machine['postgresql']}, {machine['wrk']}. wrk runs on the same two cores as the server.",
        "",
        "Machine speed (bench/resources.py `speed_reference_ms`, a fixed pure-Python workload, "
        "less is faster): "
        + ", ".join(
            f"{r['database']} {r['speed_before_ms']} ms before, {r['speed_after_ms']} after"
            for r in reports
        )
        + ".",
        "",
        "```",
        machine["free_h"],
        "```",
        "",
    ]
    for report in reports:
        lines += [
            f"#### {report['database']}: {report['server']}, "
            f"{'Redis' if report['redis'] else 'in-process'} rate-limit counters, "
            f"{report['subjects']:,} subjects in the database",
            "",
            f"Load average before {report['load_average_before']}, after "
            f"{report['load_average_after']}. Tracebacks in the server log: "
            f"{report['server_tracebacks']}.",
            "",
            "| scenario | clients | req/s | p50 ms | p99 ms | max ms | errors | stored/s "
            "| CPU ms/req: web, db, other |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for m in report["measurements"]:
            stored = f"{m['stored_per_second']:,.0f}" if m["stored_per_second"] is not None else ""
            errors = str(m["errors"])
            if m["error_detail"] or m["not_stored"]:
                detail = dict(m["error_detail"])
                if m["not_stored"]:
                    detail["not stored"] = m["not_stored"]
                errors += " (" + ", ".join(f"{k} {v}" for k, v in detail.items()) + ")"
            cpu = m["cpu_ms"]
            rest = cpu["redis"] + cpu["wrk"] + cpu["other"]
            lines.append(
                f"| {LABELS[m['scenario']]} | {clients_text(m)} | {m['rate']:,.0f} | {m['p50_ms']} "
                f"| {m['p99_ms']} | {m['max_ms']} | {errors} | {stored} "
                f"| {cpu['web']:.2f}, {cpu['database']:.2f}, {rest:.2f} |"
            )
        lines.append("")
        if report["rights"]:
            lines += ["Access export and erasure (bench/rights_bench.py), per subject:", ""]
            for entry in report["rights"]:
                for line in entry["lines"]:
                    lines.append(f"- {entry['subjects']:,} subjects: {line}")
            lines.append("")
        verdict = verdicts(report)
        if verdict:
            lines += ["Targets (PostgreSQL, 2 cores):", "", *verdict, ""]
    return "\n".join(lines)


def main() -> int:
    if sys.argv[1:2] == ["ratio"]:  # consent ÷ floor-INSERT in one run (bench/ratio_load.py)
        return ratio_load.main(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--scenarios", default="home,contact,consent")
    parser.add_argument("--clients", default="10,50,200")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 15)))
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--subjects", type=int, default=int(os.environ.get("BENCH_SUBJECTS", 10000))
    )
    parser.add_argument(
        "--rights-subjects",
        default=os.environ.get("BENCH_RIGHTS_SUBJECTS", "1000,10000"),
        help="sizes for bench/rights_bench.py; empty to skip it",
    )
    parser.add_argument("--workers", type=int, default=ServerOptions().workers)
    parser.add_argument("--threads", type=int, default=ServerOptions().threads)
    parser.add_argument(
        "--paced",
        default="contact=300",
        help="scenario=rate,...: also run these at 50 clients sending that many requests per "
        "second between them (latency at a given load); empty for none",
    )
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    options = parser.parse_args()
    options.clients = [int(c) for c in options.clients.split(",")]
    options.scenarios = [s for s in options.scenarios.split(",") if s]
    options.paced = [
        (name, int(rate))
        for name, rate in (pair.split("=") for pair in options.paced.split(",") if pair)
    ]
    options.rights_subjects = [int(s) for s in options.rights_subjects.split(",") if s.strip()]
    if options.duration > 120 or max(options.clients) > 1000:
        parser.error("runs are bounded: at most 120 s and 1000 clients each")

    command = "bench/run " + " ".join(sys.argv[1:]) if len(sys.argv) > 1 else "bench/run"
    machine = resources.machine()
    common.log(
        f"machine: {machine['nproc']} cores, {machine['cpu']}; load {resources.load_average()}"
    )
    reports = [measure(kind, options) for kind in options.databases.split(",")]
    common.OUT.mkdir(parents=True, exist_ok=True)
    for report in reports:
        path = common.OUT / f"results-{report['database']}.json"
        path.write_text(json.dumps({"machine": machine, "command": command, **report}, indent=2))
    text = markdown(reports, command, machine)
    print()
    print(text)
    if options.write_docs:
        common.replace_section(common.ROOT / "docs" / "benchmarks.md", "bench/run", text)
        common.log("docs/benchmarks.md updated (section bench/run)")
    failed = sum(m["errors"] for r in reports for m in r["measurements"])
    failed += sum(r["server_tracebacks"] for r in reports)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
