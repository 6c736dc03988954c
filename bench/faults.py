"""Faults under a steady load (issue 19, item 8): PostgreSQL restarted and Redis stopped while
visitors send contact forms and cookie decisions; then every submission is counted.

The production server (python -m wekst.serve, as bench/server.py starts it) and the background
worker (manage.py db_worker, as deploy/wekst-worker.service starts it, and started again when it
exits, as systemd's Restart=always does) run against this script's OWN PostgreSQL cluster and
redis-server (bench/fault_servers.py), never the machine's. Visitors (threads, each with its own
keep-alive connection) send, at a steady pace, alternately:

- a contact form, each with a unique marker in its address; a 302 to the thanks page is accepted;
- a cookie decision as consent.js sends it; a 200 with its consent_id is accepted.

A visitor answered "try again" (the 503 page) or left without an answer sends the same thing again
after --retry-seconds, up to --attempts times, as a person would. Half-way faults:
`pg_ctl restart -m fast` at --pg-restart-at, Redis stopped at --redis-stop-at for --redis-down-for
seconds. Then, per marker: lost = accepted but not stored, duplicated = stored more than once; a
stored lead without its staff-notification task (tell_staff) is a lost task; every refusal must
have been an answer (a 503 page or JSON saying nothing was saved), never a dropped connection,
a 500 or a trace. Exit 1 when any of that fails.

    .venv/bin/python bench/faults.py                     # 90 s at ~20 submissions/s
    .venv/bin/python bench/faults.py --write-docs
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from fault_load import Tally, Visitor  # noqa: E402
from fault_servers import MailSink, Worker, own_servers  # noqa: E402
from server import ServerOptions, free_port, prepare, running_server, server_env  # noqa: E402


def main() -> int:
    options = _options()
    command = "bench/faults.py " + " ".join(sys.argv[1:])
    run_id = uuid.uuid4().hex[:8]
    tally = Tally()
    faults: list[str] = []
    common.OUT.mkdir(parents=True, exist_ok=True)
    mail = Controller(MailSink(), hostname="127.0.0.1", port=free_port())
    mail.start()
    with own_servers() as (postgres, redis):
        env = server_env("postgres", use_redis=True, database=postgres.url, redis_url=redis.url)
        env.update({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(mail.port), "EMAIL_USE_TLS": "0"})
        common.log(f"faults: own PostgreSQL on {postgres.port}, own Redis on {redis.port}")
        prepare(env)
        worker = Worker(env)
        try:
            drained, log_text = _load(options, env, worker, postgres, redis, run_id, tally, faults)
        finally:
            worker.stop()
        counts = _count(env, run_id, tally)
    mail.stop()
    report = _report(options, command, tally, faults, counts, drained, log_text, worker.restarts)
    print(json.dumps(report, indent=2), flush=True)
    if options.report:
        options.report.write_text(json.dumps(report, indent=2))
    if options.write_docs:
        _write_docs(report)
    return 1 if report["failures"] else 0


def _load(options, env, worker, postgres, redis, run_id, tally, faults) -> tuple[float | None, str]:
    """The server and the worker under the visitors' load while the faults happen."""
    worker.ensure()
    server_options = ServerOptions(options.workers, options.threads)
    with running_server(env, server_options, name="faults") as server:
        stop = threading.Event()
        visitors = [
            Visitor(n, server.port, run_id, tally, options, stop) for n in range(options.visitors)
        ]
        for visitor in visitors:
            visitor.start()
        started = tally.started = time.monotonic()
        try:
            _faults(options, postgres, redis, worker, started, faults)
        finally:
            stop.set()
            for visitor in visitors:
                visitor.join(timeout=options.attempts * (options.retry_seconds + 30))
        common.log("faults: load stopped; waiting for the worker to finish the tasks")
        drained = _drain(env, worker)
        return drained, server.log_path.read_text(errors="replace")


def _options():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=90, help="length of the load")
    parser.add_argument("--rate", type=float, default=20, help="submissions per second, about")
    parser.add_argument("--visitors", type=int, default=8, help="concurrent visitors")
    parser.add_argument("--pg-restart-at", type=float, default=25)
    parser.add_argument("--redis-stop-at", type=float, default=45)
    parser.add_argument("--redis-down-for", type=float, default=20)
    parser.add_argument("--attempts", type=int, default=5, help="tries per submission")
    parser.add_argument("--retry-seconds", type=float, default=2)
    parser.add_argument("--workers", type=int, default=ServerOptions().workers)
    parser.add_argument("--threads", type=int, default=ServerOptions().threads)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--report", type=Path, help="also write the report here, as JSON")
    return parser.parse_args()


def _faults(options, postgres, redis, worker, started: float, faults: list[str]) -> None:
    """The timeline: the load runs --seconds; the faults happen at their times within it."""
    events = sorted(
        [
            (options.pg_restart_at, "pg"),
            (options.redis_stop_at, "redis stop"),
            (options.redis_stop_at + options.redis_down_for, "redis start"),
        ]
    )
    for at, event in [*events, (options.seconds, "end")]:
        while time.monotonic() - started < at:
            worker.ensure()
            time.sleep(0.2)
        now = time.monotonic() - started
        if event == "pg":
            took = postgres.restart()
            faults.append(
                f"PostgreSQL restarted (pg_ctl restart -m fast) at {now:.0f} s, {took:.1f} s"
            )
        elif event == "redis stop":
            redis.stop()
            faults.append(f"Redis stopped at {now:.0f} s")
        elif event == "redis start":
            redis.start()
            faults.append(f"Redis started again at {now:.0f} s")
        common.log(f"faults: {faults[-1] if event != 'end' else 'end of load'}")


def _sql(env: dict[str, str], sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as connection:
        return connection.execute(sql, params).fetchall()


TASKS_PENDING = (
    "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s "
    "AND status IN ('READY', 'RUNNING')"
)


def _drain(env: dict[str, str], worker: Worker, seconds: int = 900) -> float | None:
    """Seconds until the worker ran every staff notification (None: not within `seconds`)."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        worker.ensure()
        if _sql(env, TASKS_PENDING, ("%tell_staff",))[0][0] == 0:
            return time.monotonic() - began
        time.sleep(1)
    return None


def _count(env: dict[str, str], run_id: str, tally: Tally) -> dict:
    """Per marker: how often each lead and each decision is stored; each lead's tasks."""
    leads = dict(
        _sql(
            env,
            "SELECT email, count(*) FROM leads_lead WHERE email LIKE %s GROUP BY email",
            (f"kari.f{run_id}-%",),
        )
    )
    decisions = dict(
        _sql(
            env,
            "SELECT consent_id::text, count(*) FROM consent_consentdecision GROUP BY consent_id",
        )
    )
    tasks = dict(
        _sql(
            env,
            "SELECT l.email, count(t.id) FROM leads_lead l LEFT JOIN django_tasks_database_dbtaskresult t "
            "ON t.task_path LIKE %s AND (t.args_kwargs->'args'->>0)::int = l.id "
            "WHERE l.email LIKE %s GROUP BY l.email",
            ("%tell_staff", f"kari.f{run_id}-%"),
        )
    )
    statuses = dict(
        _sql(
            env,
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s "
            "GROUP BY status",
            ("%tell_staff",),
        )
    )
    accepted_leads, accepted_consents = tally.accepted_leads, set(tally.accepted_consents)
    return {
        "leads_stored": sum(leads.values()),
        "decisions_stored": sum(decisions.values()),
        "leads_lost": sorted(m for m in accepted_leads if m not in leads),
        "decisions_lost": sorted(c for c in accepted_consents if c not in decisions),
        "leads_twice": sorted(m for m, n in leads.items() if n > 1),
        "decisions_twice": sorted(c for c, n in decisions.items() if n > 1),
        "decision_ids_answered_twice": len(tally.accepted_consents) - len(accepted_consents),
        "leads_stored_not_accepted": sorted(m for m in leads if m not in accepted_leads),
        "decisions_stored_not_accepted": sorted(c for c in decisions if c not in accepted_consents),
        "leads_without_task": sorted(m for m, n in tasks.items() if n == 0),
        "leads_with_two_tasks": sorted(m for m, n in tasks.items() if n > 1),
        "task_statuses": statuses,
    }


def _report(options, command, tally, faults, counts, drained, log_text, restarts) -> dict:
    answers = {f"{kind}: {answer}": n for (kind, answer), n in sorted(tally.answers.items())}
    failures = list(tally.bad[:10])
    for name in ("leads_lost", "decisions_lost", "leads_twice", "decisions_twice"):
        if counts[name]:
            failures.append(f"{name}: {len(counts[name])}, e.g. {counts[name][:3]}")
    for name in ("leads_without_task", "leads_with_two_tasks"):
        if counts[name]:
            failures.append(f"{name}: {len(counts[name])}, e.g. {counts[name][:3]}")
    if counts["decision_ids_answered_twice"]:
        failures.append("one consent id answered for two decisions")
    no_answer = sum(n for (_, answer), n in tally.answers.items() if answer == "no answer")
    if no_answer:
        failures.append(f"{no_answer} requests left without an answer")
    if not tally.accepted_leads or not tally.accepted_consents:
        failures.append("no load: nothing was accepted")
    if drained is None:
        failures.append("the worker did not finish the staff notifications within 900 s")
    if sum(tally.given_up.values()):
        failures.append(
            f"submissions never accepted after {options.attempts} tries: {tally.given_up}"
        )
    return {
        "command": command,
        "load": (
            f"{options.visitors} visitors, ~{options.rate:g} submissions/s for {options.seconds} s "
            f"(contact forms and cookie decisions in turn), {ServerOptions(options.workers, options.threads).describe()}"
        ),
        "faults": faults,
        "answers": answers,
        "accepted": {"leads": len(tally.accepted_leads), "decisions": len(tally.accepted_consents)},
        "retried_then_accepted": dict(tally.retried_then_accepted),
        "stored": {"leads": counts["leads_stored"], "decisions": counts["decisions_stored"]},
        "lost": len(counts["leads_lost"]) + len(counts["decisions_lost"]),
        "duplicated": len(counts["leads_twice"]) + len(counts["decisions_twice"]),
        "stored_though_refused": {
            "leads": len(counts["leads_stored_not_accepted"]),
            "decisions": len(counts["decisions_stored_not_accepted"]),
        },
        "tasks": {
            "leads_without_task": len(counts["leads_without_task"]),
            "statuses": counts["task_statuses"],
        },
        "refusals_between_seconds": [
            round(min(tally.refused_at, default=0), 1),
            round(max(tally.refused_at, default=0), 1),
        ],
        "worker_restarts": restarts,
        "drain_seconds": None if drained is None else round(drained),
        "server_log_500": len(re.findall(r'" 500 ', log_text)),
        "failures": failures,
    }


def _write_docs(report: dict) -> None:
    answers = ", ".join(f"{k} {v}" for k, v in report["answers"].items())
    first, last = report["refusals_between_seconds"]
    text = f"""### Faults under load (issue 19, item 8)

Command: `.venv/bin/python {report["command"].strip()}`, measured {common.utc_now():%Y-%m-%d %H:%M}
UTC on the shared two-core machine (load average over 10 from the other helpers' runs). It starts
its own PostgreSQL cluster and redis-server on free ports (bench/fault_servers.py), the production
server and the worker as the units do, and counts every submission by its marker afterwards.

| | |
| --- | --- |
| load | {report["load"]} |
| faults | {"; ".join(report["faults"])} |
| answers (every attempt) | {answers} |
| refusals | all "503, nothing was saved, try again" answers with Retry-After, between {first} and {last} s into the load (while PostgreSQL restarted); none while Redis was down (the public forms count on each process's own counters then: docs/security.md) |
| accepted | {report["accepted"]["leads"]} contact forms, {report["accepted"]["decisions"]} cookie decisions ({report["retried_then_accepted"] or "none"} on a second try) |
| stored | {report["stored"]["leads"]} leads, {report["stored"]["decisions"]} decisions; stored though the visitor was told "try again": {report["stored_though_refused"]} |
| **lost** | **{report["lost"]}** |
| **stored twice** | **{report["duplicated"]}** |
| staff-notification tasks (tell_staff, enqueued in the lead's transaction) | {report["tasks"]["leads_without_task"]} leads without theirs; after the worker drained ({report["drain_seconds"]} s): {report["tasks"]["statuses"]} |
| worker | restarted {report["worker_restarts"]} time(s): `db_worker` exits when the database goes away, and systemd starts it again (`Restart=always`, here the script does it) |
| 500 answers, connections dropped without an answer | {report["server_log_500"]}, {report["answers"].get("contact: no answer", 0) + report["answers"].get("consent: no answer", 0)} |
| failures | {report["failures"] or "none"} |

Production checks a kept database connection before a request uses it (`CONN_HEALTH_CHECKS`,
wekst/database.py; the check asks the kernel whether the server ended it, wekst/postgresql), so
after the restart each thread reconnects instead of failing once on its dead connection. The slow test `wekst/tests/test_faults.py` runs a shorter version of the same
(`WEKST_RUN_FAULTS=1`).
"""
    common.replace_section(common.ROOT / "docs" / "benchmarks.md", "bench/faults", text)


if __name__ == "__main__":
    raise SystemExit(main())
