"""Retention sweep benchmark: 1M leads, 10% past their 24 months, on PostgreSQL (issue 6, item 4).

Seeds a database of its own (`wekst_retention_bench`, created if missing; never the `test`
database the suite uses, nor `wekst_bench`, which the load and soak tests (bench/load.py,
bench/soak.py) fill while they run) with one million leads, each with its own subject, of which
every tenth had its last contact 25 months ago; then runs the real sweep
(retention.services.run_sweep) and reports the total time and the longest single transaction,
which bounds how long any row lock is held. The figures are recorded in docs/benchmarks.md.

Run: .venv/bin/python bench/retention_bench.py [--leads 1000000] [--batch-size 1000]
     (PostgreSQL at BENCH_DATABASE_URL, default .../wekst_retention_bench)
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/wekst_retention_bench"


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name in ("test", "postgres", "") or name.startswith("test_"):
        raise SystemExit(f"Refusing to use the database {name!r}: the benchmark needs its own.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed(leads: int) -> None:
    """Subjects and leads by SQL (a million ORM saves would take longer than the sweep)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE subjects_subject, leads_lead, leads_meeting, retention_sweeprun, "
            "retention_sweepcount, audit_auditentry RESTART IDENTITY CASCADE"
        )
        cursor.execute(
            "INSERT INTO subjects_subject (public_id, email, phone, created_at) "
            "SELECT gen_random_uuid(), 'person' || g || '@bench.example', '', "
            "now() - interval '3 years' FROM generate_series(1, %s) AS g",
            [leads],
        )
        # Every tenth lead's last contact was 25 months ago: 10% are past the 24 months.
        cursor.execute(
            "INSERT INTO leads_lead (public_id, subject_id, kind, name, email, phone, company, "
            "role, message, purpose, legal_basis, source, policy_version, language, "
            "marketing_consent, marketing_consent_wording, created_at, last_contact_at) "
            "SELECT gen_random_uuid(), s.id, 'contact', 'Bench Person', s.email, '', "
            "'Bench Clinic', '', 'We would like more patients.', 'enquiries', 'contract', "
            "'contact_form', '2026.2', 'en', false, '', now() - interval '3 years', "
            "CASE WHEN s.id % 10 = 0 THEN now() - interval '25 months' "
            "ELSE now() - interval '1 month' END "
            "FROM subjects_subject AS s"
        )
        cursor.execute("VACUUM ANALYZE subjects_subject")
        cursor.execute("VACUUM ANALYZE leads_lead")


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    options = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    create_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "wekst.settings"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from leads.models import Lead
    from retention.models import SweepRun
    from retention.selectors import preview
    from retention.services import run_sweep

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed(options.leads)
    seeded = time.perf_counter() - started
    total = Lead.objects.count()
    print(f"Seeded {total:,} leads and subjects in {seeded:.1f} s")

    started = time.perf_counter()
    [leads_part] = [p for p in preview() if p.rule.key == "lead_after_last_contact"]
    dry_run = time.perf_counter() - started
    print(f"Dry run: {leads_part.erasable:,} leads due, in {dry_run:.1f} s")

    started = time.perf_counter()
    run = run_sweep(trigger=SweepRun.Trigger.COMMAND, batch_size=options.batch_size)
    elapsed = time.perf_counter() - started

    counts = list(run.counts.exclude(erased=0))
    longest = max(run.counts.values_list("longest_batch_seconds", flat=True))
    batches = sum(c.batches for c in run.counts.all())
    remaining = Lead.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(
        f"Sweep {run.pk}: {run.status} in {elapsed:.1f} s, {batches} batches of at most "
        f"{options.batch_size} ids"
    )
    for count in counts:
        print(
            f"  {count.rule:<26} {count.model:<22} {count.erased:>9,} erased in "
            f"{count.seconds:.1f} s, {count.batches} batches, longest "
            f"{count.longest_batch_seconds * 1000:.0f} ms"
        )
    print(f"Longest single transaction (longest lock held): {longest * 1000:.0f} ms")
    print(f"Leads left: {remaining:,} of {total:,}")
    print(f"Machine: {machine()}; PostgreSQL {server}; Python {platform.python_version()}")
    target_met = elapsed < 60 and longest < 1
    print("Target (< 60 s, no lock held > 1 s):", "met" if target_met else "NOT met")
    return 0 if target_met else 1


if __name__ == "__main__":
    sys.exit(main())
