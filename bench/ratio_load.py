"""Consent decisions against the floor-INSERT under load, in the same run (issue 23, item 1).

    bench/run ratio                  # PostgreSQL wekst_bench, Redis when it answers; ~3 minutes
    python bench/load.py ratio --database-url postgres://…/wekst_load_bench --clients 50

The production server (bench/server.py: wekst.serve, DJANGO_ENV=production) with the bench URL
configuration (bench/perf_settings.py: the floors of bench/perf_urls.py, never in production),
loaded by wrk from 127.0.0.1 with the same request body and headers for both endpoints, as
consent.js sends a decision (Accept: application/json, same-origin Fetch Metadata, Origin):

1. closed loop, --clients clients: the floor-INSERT and the consent decision in turn, --rounds
   times (floor, consent, then consent, floor: a drift of the machine's load over the run falls
   on both alike). For each: requests/s and the web server's CPU seconds per request (its
   processes' CPU from /proc, resources.cpu_seconds); then consent ÷ floor of both. The CPU
   ratio is the figure: on a shared machine throughput follows whatever else runs;
2. paced at --fraction of the floor's measured capacity (visitors arriving at random,
   bench/wrk/common.lua), both endpoints: latency percentiles at a stated load. Closed-loop
   latency is clients ÷ throughput by construction (Little's law) and is not reported.

Every answered request must be stored (rows counted after each phase). Writes
/tmp/wekst-bench/ratio.json; --write-docs puts the tables into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import resources  # noqa: E402
from database import count_stored, settle  # noqa: E402
from server import ServerOptions, running_server  # noqa: E402
from wrk_runs import run_wrk  # noqa: E402

PATHS = {"floor-INSERT": "/bench/floor/insert/", "consent decision": "/consent/"}
FLOOR, CONSENT = PATHS


@dataclass
class Phase:
    endpoint: str
    clients: int
    requests: int
    seconds: float
    errors: int
    stored: int
    offered_rate: float | None = None  # a paced phase: requests per second sent, on average
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # per kind of process
    latency_ms: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def closed_loop_order(rounds: int) -> list[str]:
    """Floor, consent; then consent, floor; …: each endpoint runs as often early as late."""
    order: list[str] = []
    for round_number in range(rounds):
        pair = [FLOOR, CONSENT]
        order += pair if round_number % 2 == 0 else pair[::-1]
    return order


def totals(phases: list[Phase]) -> dict[str, dict[str, float]]:
    """Per endpoint over its closed-loop phases: requests/s and CPU ms per request of each kind
    of process (web, database, redis, …), from the summed requests, seconds and CPU."""
    found: dict[str, dict[str, float]] = {}
    for endpoint in PATHS:
        runs = [p for p in phases if p.endpoint == endpoint and p.offered_rate is None]
        requests = sum(p.requests for p in runs)
        if not requests:
            continue
        seconds = sum(p.seconds for p in runs)
        figures = {"requests": requests, "rate": requests / seconds}
        for kind in runs[0].cpu_seconds:
            cpu = sum(p.cpu_seconds[kind] for p in runs)
            figures[f"{kind}_cpu_ms"] = cpu * 1000 / requests
        # Cores the web server kept busy: below the floor's, it waited rather than worked.
        figures["web_cores"] = sum(p.cpu_seconds["web"] for p in runs) / seconds
        found[endpoint] = figures
    return found


def ratios(figures: dict[str, dict[str, float]]) -> dict[str, float]:
    """Consent ÷ floor: throughput (goal ≥ 0.8×) and web CPU per request."""
    floor, consent = figures[FLOOR], figures[CONSENT]
    served = ("web_cpu_ms", "database_cpu_ms", "redis_cpu_ms")
    return {
        "throughput": consent["rate"] / floor["rate"],
        "web_cpu": consent["web_cpu_ms"] / floor["web_cpu_ms"],
        # The throughput ratio the two cores would give if the CPU of serving a request (web,
        # database, Redis) were all that limits it: well above the measured one, and the consent
        # path loses to waiting under concurrency, not to its own cost.
        "cpu_bound_throughput": sum(floor.get(k, 0) for k in served)
        / sum(consent.get(k, 0) for k in served),
    }


def run_phase(env, server, endpoint: str, options, *, rate: float | None = None) -> Phase:
    """A warm-up, then one measured wrk run on one endpoint, the CPU each kind of process used
    during it, and the rows it stored."""
    wrk_env = {"BENCH_ORIGIN": server.url, "BENCH_CONSENT_PATH": PATHS[endpoint]}
    if rate:
        wrk_env["BENCH_RATE"] = f"{rate:.1f}"
    run_wrk(
        "consent.lua", server.url, connections=options.clients, seconds=options.warmup, env=wrk_env
    )
    time.sleep(1)  # the warm-up's last requests finish before the count starts
    since = common.utc_now()
    web_pids = {server.process.pid, *server.worker_pids()}
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    before = resources.process_cpu(web_pids, database)
    result = run_wrk(
        "consent.lua",
        server.url,
        connections=options.clients,
        seconds=options.duration,
        env=wrk_env,
    )
    after = resources.process_cpu(web_pids, database)
    time.sleep(1)  # requests in flight when wrk stopped finish
    stored = count_stored(env, "consent", run_id="", since=since)  # both store a decision's row
    answered = result.requests - result.error_count
    phase = Phase(
        endpoint=endpoint,
        clients=options.clients,
        requests=result.requests,
        seconds=result.seconds,
        # A request answered but not stored is an error (a lost write, an error page).
        errors=result.error_count + max(answered - stored, 0),
        stored=stored,
        offered_rate=round(rate, 1) if rate else None,
        cpu_seconds=resources.cpu_used(before, after),
        latency_ms={k: round(v, 1) for k, v in result.latency_ms.items()},
    )
    web_ms = phase.cpu_seconds["web"] * 1000 / max(phase.requests, 1)
    paced = f" paced {rate:.0f}/s" if rate else ""
    common.log(
        f"{endpoint:<16} c={options.clients}{paced} {phase.rate:8.1f} req/s  web CPU "
        f"{web_ms:.3f} ms/req  p50 {phase.latency_ms['p50']} p99 {phase.latency_ms['p99']} ms  "
        f"errors {phase.errors}"
    )
    return phase


def measure(options) -> dict:
    from perf import environment

    env = environment(options)
    settle(env)
    server_options = ServerOptions(workers=options.workers, threads=options.threads)
    phases: list[Phase] = []
    load_before = resources.load_average()
    with running_server(env, server_options, name="ratio") as server:
        for endpoint in closed_loop_order(options.rounds):
            phases.append(run_phase(env, server, endpoint, options))
        capacity = totals(phases)[FLOOR]["rate"]
        for endpoint in PATHS:
            pace = capacity * options.fraction
            phases.append(run_phase(env, server, endpoint, options, rate=pace))
        tracebacks = server.log_path.read_text(errors="replace").count("Traceback")
    figures = totals(phases)
    return {
        "database": env["DATABASE_URL"].split("@")[-1],
        "redis": "REDIS_URL" in env,
        "server": server_options.describe(),
        "clients": options.clients,
        "duration": options.duration,
        "fraction": options.fraction,
        "phases": [{**asdict(p), "rate": p.rate} for p in phases],
        "totals": figures,
        "ratios": ratios(figures),
        "server_tracebacks": tracebacks,
        "load_average_before": load_before,
        "load_average_after": resources.load_average(),
    }


def markdown(report: dict, command: str) -> str:
    figures, ratio = report["totals"], report["ratios"]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `{command}` "
        f"({report['database']}, {'Redis' if report['redis'] else 'no Redis'}, "
        f"{report['server']}; load average before {report['load_average_before']}, after "
        f"{report['load_average_after']}; tracebacks in the server log: "
        f"{report['server_tracebacks']}).",
        "",
        f"Closed loop, {report['clients']} clients, {report['duration']} s per phase "
        "(phases summed per endpoint):",
        "",
        "| endpoint | req/s per phase | req/s | CPU ms/req: web | database | Redis "
        "| web cores busy | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    closed = [p for p in report["phases"] if p["offered_rate"] is None]
    for endpoint, v in figures.items():
        runs = [p for p in closed if p["endpoint"] == endpoint]
        rates = " + ".join(f"{p['rate']:,.0f}" for p in runs)
        lines.append(
            f"| {endpoint} | {rates} | {v['rate']:,.0f} | {v['web_cpu_ms']:.3f} "
            f"| {v['database_cpu_ms']:.3f} | {v['redis_cpu_ms']:.3f} | {v['web_cores']:.2f} "
            f"| {sum(p['errors'] for p in runs)} |"
        )
    lines += [
        "",
        f"Consent ÷ floor-INSERT: throughput **{ratio['throughput']:.2f}×** (goal ≥ 0.8×; "
        f"read with the machine's load), web CPU per request **{ratio['web_cpu']:.2f}×**; "
        f"from the CPU of serving a request alone (web, database, Redis) the throughput ratio "
        f"would be {ratio['cpu_bound_throughput']:.2f}×.",
        "",
        f"Paced at {report['fraction']:.0%} of the floor's closed-loop capacity, "
        f"{report['clients']} clients, arrivals at random:",
        "",
        "| endpoint | offered/s | answered/s | pace kept | p50 ms | p90 ms | p99 ms | max ms "
        "| errors |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in report["phases"]:
        if p["offered_rate"] is None:
            continue
        lat = p["latency_ms"]
        # wrk times a request from when it is sent: a server behind the pace would delay the
        # sending, unseen, so the latency holds only where the pace was kept.
        kept = "yes" if p["rate"] >= 0.95 * p["offered_rate"] else "**no**"
        lines.append(
            f"| {p['endpoint']} | {p['offered_rate']:,.0f} | {p['rate']:,.0f} | {kept} | {lat['p50']} "
            f"| {lat['p90']} | {lat['p99']} | {lat['max']} | {p['errors']} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/load.py ratio", description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured phase")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="closed-loop phases per endpoint")
    parser.add_argument("--fraction", type=float, default=0.5, help="of the floor's capacity")
    parser.add_argument("--workers", type=int, default=ServerOptions().workers)
    parser.add_argument("--threads", type=int, default=ServerOptions().threads)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--no-prepare", action="store_true", help="the database is set up")
    parser.add_argument("--write-docs", action="store_true")
    options = parser.parse_args(argv)
    if options.duration > 120 or options.clients > 1000 or not 0 < options.fraction <= 1:
        parser.error("runs are bounded: at most 120 s and 1000 clients; 0 < fraction ≤ 1")
    command = "bench/run ratio " + " ".join(argv)
    report = measure(options)
    common.OUT.mkdir(parents=True, exist_ok=True)
    (common.OUT / "ratio.json").write_text(json.dumps({"command": command, **report}, indent=2))
    text = markdown(report, command.strip())
    print()
    print(text)
    if options.write_docs:
        common.replace_section(common.ROOT / "docs" / "benchmarks.md", "bench/ratio", text)
        common.log("docs/benchmarks.md updated (section bench/ratio)")
    failed = sum(p["errors"] for p in report["phases"]) + report["server_tracebacks"]
    return 1 if failed else 0
