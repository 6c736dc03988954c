"""The soak run behind bench/soak: a steady mixed load on the production server + PostgreSQL for
ten minutes or more, with no error and no growth in memory beyond a stated bound.

wrk paces its connections (common.lua's mix: per ten requests five home pages, three consent
decisions and two contact submissions; each connection waits BENCH_DELAY_MS between requests),
so the load is steady at about --rate requests per second. Every --interval seconds the resident
memory (VmRSS) of every server worker process is read from /proc. The run fails (exit 1) when:

- any request fails (connection or read error, timeout, status other than 2xx/3xx), or a contact
  submission or consent decision answered is not stored;
- a worker dies or is replaced during the run (its pid changes);
- any worker grows by more than --bound-mb between the sample taken at the end of the warm-up
  and any later sample. A leak grows without end; a warm process levels off, so after warm-up
  (imports done, caches and connections made) growth of even a few MB over ten minutes would
  show a leak of some bytes per request.

    bench/soak                       # 11 minutes: 1 of warm-up, 10 measured
    bench/soak --minutes 20 --rate 80 --write-docs
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import resources  # noqa: E402
from database import count_stored  # noqa: E402
from server import ServerOptions, prepare, redis_answers, running_server, server_env  # noqa: E402
from wrk_runs import WrkResult, csrf_pair, run_wrk  # noqa: E402


def main() -> int:
    options, total = _options()
    command = "bench/soak " + " ".join(sys.argv[1:]) if len(sys.argv) > 1 else "bench/soak"
    machine = resources.machine()
    use_redis = redis_answers()
    env = _prepared_env(options.database, use_redis=use_redis)
    server_options = ServerOptions(options.workers, options.threads)
    run_id = uuid.uuid4().hex[:10]
    load_before = resources.load_average()
    run = _soak(env, server_options, options, total=total, run_id=run_id)

    wrk = run.wrk
    stored_leads = count_stored(env, "contact", run_id=run_id, since=run.since)
    stored_decisions = count_stored(env, "consent", run_id=run_id, since=run.since)
    # Submissions answered but not stored (wrk's `sent` also counts the few still in flight
    # when it stopped, which the server finishes anyway).
    missing = max(wrk.sent["contact"] - options.connections - stored_leads, 0) + max(
        wrk.sent["consent"] - options.connections - stored_decisions, 0
    )
    growth_mb = _growth_after_warmup(run.samples, run.pids, warmup_seconds=options.warmup_seconds)
    failures = _failures(
        wrk,
        missing=missing,
        pids=run.pids,
        final_pids=run.final_pids,
        growth_mb=growth_mb,
        bound_mb=options.bound_mb,
        log_text=run.log_text,
    )

    report = {
        "command": command,
        "machine": machine,
        "server": server_options.describe(),
        "redis": use_redis,
        "database": options.database,
        "seconds": round(wrk.seconds),
        "requests": wrk.requests,
        "rate": round(wrk.rate, 1),
        "sent": wrk.sent,
        "errors": wrk.errors,
        "latency_ms": wrk.latency_ms,
        "stored": {"leads": stored_leads, "consent_decisions": stored_decisions},
        "samples": run.samples,
        "growth_mb_after_warmup": {str(k): v for k, v in growth_mb.items()},
        "bound_mb": options.bound_mb,
        "load_average_before": load_before,
        "load_average_after": resources.load_average(),
        "failures": failures,
    }
    _write_report(report, run.pids, options)
    return 1 if failures else 0


def _options():
    """The run's options, and its whole length in seconds (warm-up included), bounded."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10, help="measured, after the warm-up")
    parser.add_argument("--warmup-seconds", type=int, default=60)
    parser.add_argument("--rate", type=int, default=50, help="requests per second, about")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--interval", type=int, default=30, help="seconds between RSS samples")
    parser.add_argument("--bound-mb", type=float, default=20.0, help="growth allowed per worker")
    parser.add_argument("--database", default="postgres", choices=["postgres", "sqlite"])
    parser.add_argument("--workers", type=int, default=ServerOptions().workers)
    parser.add_argument("--threads", type=int, default=ServerOptions().threads)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    options = parser.parse_args()
    total = options.warmup_seconds + round(options.minutes * 60)
    if total > 3 * 3600 or options.rate > 2000:
        parser.error("a soak run is bounded: at most 3 hours and 2000 requests per second")
    return options, total


def _prepared_env(database: str, *, use_redis: bool) -> dict[str, str]:
    """The production server's environment, its database set up and seeded with 10,000 subjects."""
    env = server_env(database, use_redis=use_redis)
    common.log(f"soak: preparing {env['DATABASE_URL']}")
    prepare(env)
    subprocess.run(  # noqa: S603
        [common.PYTHON, "bench/seed.py", "--subjects", "10000"],
        cwd=common.ROOT,
        env=env,
        check=True,
    )
    return env


@dataclass
class SoakRun:
    """What one run under load left: wrk's figures, the memory samples, the server's log."""

    wrk: WrkResult
    since: datetime
    pids: list[int]
    final_pids: list[int]
    samples: list[dict]
    log_text: str


def _soak(
    env: dict[str, str], server_options: ServerOptions, options, *, total: int, run_id: str
) -> SoakRun:
    """The server started, loaded by wrk for `total` seconds while its workers' memory is
    sampled every --interval seconds, then stopped."""
    delay_ms = round(options.connections * 1000 / options.rate)
    samples: list[dict] = []
    with running_server(env, server_options, name=f"soak-{options.database}") as server:
        cookie, token = csrf_pair(server.url)
        pids = server.worker_pids()
        common.log(
            f"soak: {server_options.describe()} (pids {pids}), ~{options.rate} req/s from "
            f"{options.connections} connections for {total} s, sampling every {options.interval} s"
        )
        since = common.utc_now()
        result: dict = {}

        def load() -> None:
            result["wrk"] = run_wrk(
                "mixed.lua",
                server.url,
                connections=options.connections,
                seconds=total,
                env={
                    "BENCH_CSRF_COOKIE": cookie,
                    "BENCH_CSRF_TOKEN": token,
                    "BENCH_ORIGIN": server.url,
                    "BENCH_RUN_ID": run_id,
                    "BENCH_DELAY_MS": str(delay_ms),
                },
            )

        loader = threading.Thread(target=load)
        started = time.monotonic()
        loader.start()
        while loader.is_alive():
            elapsed = time.monotonic() - started
            samples.append(_memory_sample(server.worker_pids(), elapsed))
            loader.join(timeout=options.interval)
        final_pids = server.worker_pids()
        final = {"seconds": round(time.monotonic() - started), "rss_kib": {}}
        for pid in final_pids:
            final["rss_kib"][str(pid)] = resources.rss_kib(pid)
        if final["seconds"] != samples[-1]["seconds"]:
            samples.append(final)
        time.sleep(1)
        log_text = server.log_path.read_text(errors="replace")
    return SoakRun(result["wrk"], since, pids, final_pids, samples, log_text)


def _memory_sample(pids: list[int], elapsed: float) -> dict:
    """Every worker's resident memory now (None for one that is gone), logged as it is taken."""
    sample = {"seconds": round(elapsed), "rss_kib": {}}
    for pid in pids:
        try:
            sample["rss_kib"][str(pid)] = resources.rss_kib(pid)
        except (OSError, ValueError):
            sample["rss_kib"][str(pid)] = None
    rss = " ".join(f"{(v or 0) / 1024:.1f}" for v in sample["rss_kib"].values())
    common.log(f"soak t={sample['seconds']:>4} s  worker RSS MB: {rss}")
    return sample


def _growth_after_warmup(
    samples: list[dict], pids: list[int], *, warmup_seconds: int
) -> dict[int, float | None]:
    """Each worker's largest memory after the warm-up, less what it held when the warm-up ended,
    in MB (None: a worker not measured then)."""
    warm = next(s for s in samples if s["seconds"] >= warmup_seconds)
    growth_mb = {}
    for pid in pids:
        base = warm["rss_kib"].get(str(pid))
        later = [
            s["rss_kib"].get(str(pid))
            for s in samples
            if s["seconds"] >= warm["seconds"] and s["rss_kib"].get(str(pid))
        ]
        growth_mb[pid] = round((max(later) - base) / 1024, 1) if base and later else None
    return growth_mb


def _failures(
    wrk,
    *,
    missing: int,
    pids: list[int],
    final_pids: list[int],
    growth_mb: dict[int, float | None],
    bound_mb: float,
    log_text: str,
) -> list[str]:
    """What makes the run fail: the conditions of the module's docstring, and any traceback in
    the server log."""
    failures = []
    if wrk.error_count:
        failures.append(f"{wrk.error_count} failed requests {wrk.errors}")
    if missing:
        failures.append(f"{missing} submissions answered but not stored")
    if final_pids != pids:
        failures.append(f"workers changed during the run: {pids} -> {final_pids}")
    over = {pid: g for pid, g in growth_mb.items() if g is None or g > bound_mb}
    if over:
        failures.append(f"memory grew beyond {bound_mb} MB: {over}")
    tracebacks = log_text.count("Traceback")
    if tracebacks:
        failures.append(f"{tracebacks} tracebacks in the server log")
    return failures


def _write_report(report: dict, pids: list[int], options) -> None:
    """soak.json in the bench's output directory; the Markdown printed, and with --write-docs
    written into docs/benchmarks.md."""
    common.OUT.mkdir(parents=True, exist_ok=True)
    (common.OUT / "soak.json").write_text(json.dumps(report, indent=2))
    text = markdown(report, pids, options)
    print()
    print(text)
    if options.write_docs:
        common.replace_section(common.ROOT / "docs" / "benchmarks.md", "bench/soak", text)
        common.log("docs/benchmarks.md updated (section bench/soak)")


def markdown(report: dict, pids: list[int], options) -> str:
    samples = report["samples"]
    header = "| t (s) | " + " | ".join(f"worker {i + 1} MB" for i in range(len(pids))) + " |"
    rows = [header, "| ---: |" + " ---: |" * len(pids)]
    for sample in samples:
        values = [sample["rss_kib"].get(str(pid)) for pid in pids]
        rows.append(
            f"| {sample['seconds']} | "
            + " | ".join(f"{v / 1024:.1f}" if v else "-" for v in values)
            + " |"
        )
    growth = ", ".join(
        f"{g:+.1f} MB" if g is not None else "?" for g in report["growth_mb_after_warmup"].values()
    )
    verdict = "passed" if not report["failures"] else "FAILED: " + "; ".join(report["failures"])
    return "\n".join(
        [
            "### Result of the last `bench/soak`",
            "",
            f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} with `{report['command']}` on "
            f"{report['machine']['nproc']} cores ({report['machine']['cpu']}): "
            f"{report['server']}, {report['database']}, "
            f"{'Redis' if report['redis'] else 'in-process'} rate-limit counters. Load average "
            f"before {report['load_average_before']}, after {report['load_average_after']}.",
            "",
            f"- {report['requests']:,} requests in {report['seconds']} s "
            f"({report['rate']} req/s; sent: {report['sent']['home']:,} home, "
            f"{report['sent']['consent']:,} consent, {report['sent']['contact']:,} contact), "
            f"p50 {report['latency_ms']['p50']:.1f} ms, p99 {report['latency_ms']['p99']:.1f} ms, "
            f"max {report['latency_ms']['max']:.1f} ms;",
            f"- errors: {sum(report['errors'].values())}; stored: "
            f"{report['stored']['leads']:,} leads, {report['stored']['consent_decisions']:,} "
            "consent decisions;",
            f"- memory growth per worker from the end of the warm-up ({options.warmup_seconds} s) "
            f"to its highest later sample: {growth} (bound {report['bound_mb']} MB);",
            f"- verdict: **{verdict}**.",
            "",
            "Resident memory (VmRSS) of each server worker process:",
            "",
            *rows,
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
