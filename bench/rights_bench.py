"""Time an access export and an erasure for one subject among N (issue 5, item 8).

Seeds N subjects with realistic related records (a lead each, a meeting for every third, a
newsletter subscription for every second, two emails, an audit entry, a cookie consent decision,
and a privacy request for every tenth), then times, on subjects spread over the table:

- building the access report (every record via the subject index, audit entries, consent log)
  and serialising it as JSON and as CSV, as the download does;
- erasing the subject (erase_subject: every record, processor jobs, audit entry, ledger line).

Run (figures recorded in docs/benchmarks.md):

    .venv/bin/python bench/rights_bench.py --database sqlite   --subjects 10000
    .venv/bin/python bench/rights_bench.py --database postgres --subjects 1000000

It uses DATABASE_URL when set (of the --database kind, not the suite's), else its own: SQLite
/tmp/wekst_rights_bench.sqlite3, PostgreSQL `wekst_rights_bench` on BENCH_PG_URL (default
postgres://postgres@127.0.0.1:5432), created if missing.
Seeding uses COPY on PostgreSQL and executemany on SQLite; a database already seeded with N
subjects is reused unless --reseed is given.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SQLITE_PATH = Path(tempfile.gettempdir()) / "wekst_rights_bench.sqlite3"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_NAME = "wekst_rights_bench"
BATCH = 20_000


def configure(database: str) -> None:
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "wekst.settings"
    os.environ["WEKST_ERASURE_LEDGER_PATH"] = str(
        Path(tempfile.gettempdir()) / f"wekst_bench_ledger_{database}.jsonl"
    )
    given = os.environ.get("DATABASE_URL", "")
    if given:
        # Never the suite's own database: reseeding empties every table it seeds.
        name = given.rstrip("/").rsplit("/", 1)[-1]
        if not given.startswith(database[:6]) or name == "test" or name.startswith("test_"):
            raise SystemExit(f"DATABASE_URL must be a {database} database not the suite's")
    elif database == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    else:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{PG_NAME}"')
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    import django

    django.setup()


# Seeding ------------------------------------------------------------------------------------


def _defaults(model) -> dict:
    """A value for every column the generator does not set: the field's default, or empty."""
    from django.db.models import NOT_PROVIDED

    values = {}
    for field in model._meta.concrete_fields:
        if field.default is not NOT_PROVIDED:
            values[field.attname] = field.get_default()
        elif field.null:
            values[field.attname] = None
        else:
            values[field.attname] = ""
    return values


class Writer:
    """Writes rows of one model fast: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, model):
        from django.db import connection

        self.model, self.connection = model, connection
        self.fields = list(model._meta.concrete_fields)
        self.base = _defaults(model)
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, **values) -> None:
        row = self.base | values
        self.rows.append(
            tuple(
                f.get_db_prep_save(row[f.attname], connection=self.connection) for f in self.fields
            )
        )
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        table = self.model._meta.db_table
        columns = [f.column for f in self.fields]
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                names = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" for _ in columns)
                # Names from the models' own metadata, values as parameters.
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608
                cursor.executemany(sql, self.rows)
        self.count += len(self.rows)
        self.rows = []


def seed(n: int) -> None:
    """N subjects, each with the records of the module's docstring, written in batches."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    models = _seeded_models()
    with connection.cursor() as cursor:
        for model in reversed(models):
            cursor.execute(f'DELETE FROM "{model._meta.db_table}"')  # noqa: S608 - a model's table
    start = time.perf_counter()
    now = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)
    writers = {model._meta.model_name: Writer(model) for model in models}
    with transaction.atomic():
        for i in range(1, n + 1):
            _add_person(writers, i, now)
            if i % 100_000 == 0:
                print(f"  seeded {i} subjects ({time.perf_counter() - start:.0f} s)", flush=True)
        for writer in writers.values():
            writer.flush()
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
        cursor.execute("ANALYZE")
    rows = sum(w.count for w in writers.values())
    print(f"Seeded {n} subjects, {rows} rows in {time.perf_counter() - start:.0f} s", flush=True)


def _seeded_models() -> list:
    """The models seeded, each after the ones it points at (emptied in the reverse order)."""
    from audit.models import AuditEntry
    from consent.models import ConsentDecision
    from leads.models import Lead, Meeting
    from mail.models import OutgoingEmail
    from newsletter.models import Subscription
    from rights.models import Request
    from subjects.models import Subject

    models = [Subject, Lead, Meeting, Subscription, OutgoingEmail, AuditEntry, ConsentDecision]
    return [*models, Request]


def _add_person(writers: dict, i: int, now: datetime.datetime) -> None:
    """Person i: a subject and a lead; a meeting for every third, a subscription for every
    second; two emails, an audit entry and a consent decision; a request for every tenth."""
    public_id = uuid.uuid4()
    email = f"person{i}@clinic{i % 5000}.example"
    phone = f"+47{40000000 + i:08d}"
    at = now - datetime.timedelta(minutes=i % 500_000)
    writers["subject"].add(id=i, public_id=public_id, email=email, phone=phone, created_at=at)
    _add_lead(writers, i, email, phone, at)
    if i % 3 == 0:
        _add_meeting(writers, i, at)
    if i % 2 == 0:
        _add_subscription(writers, i, at)
    _add_emails(writers, i, email, at)
    _add_audit_entry(writers, i, public_id, at)
    _add_consent_decision(writers, i, at)
    if i % 10 == 0:
        _add_request(writers, i, email, at)


def _add_lead(writers: dict, i: int, email: str, phone: str, at: datetime.datetime) -> None:
    writers["lead"].add(
        id=i,
        public_id=uuid.uuid4(),
        subject_id=i,
        kind="contact",
        name=f"Person {i}",
        email=email,
        phone=phone,
        company=f"Clinic {i % 5000}",
        role="Manager",
        message="We would like more patients to find our clinic. " * 3,
        purpose="enquiries",
        legal_basis="contract",
        source="contact_form",
        policy_version="2026.2",
        language="nb",
        marketing_consent=False,
        created_at=at,
        last_contact_at=at,
    )


def _add_meeting(writers: dict, i: int, at: datetime.datetime) -> None:
    writers["meeting"].add(
        id=i,
        public_id=uuid.uuid4(),
        lead_id=i,
        subject_id=i,
        provider="trafft",
        provider_booking_id=f"appt-{i}",
        status="booked",
        starts_at=at + datetime.timedelta(days=3),
        ends_at=at + datetime.timedelta(days=3, minutes=30),
        last_event_at=at,
        created_at=at,
        updated_at=at,
    )


def _add_subscription(writers: dict, i: int, at: datetime.datetime) -> None:
    writers["subscription"].add(
        id=i,
        public_id=uuid.uuid4(),
        subject_id=i,
        name=f"Person {i}",
        status="confirmed",
        source="newsletter_form",
        signed_up_at=at,
        policy_version="2026.2",
        consent_wording="Yes, send me the Wekst newsletter.",
        language="nb",
        confirmed_at=at,
        confirmation_token_hash="",
        unsubscribe_token=uuid.uuid4().hex + uuid.uuid4().hex[:11],
    )


def _add_emails(writers: dict, i: int, email: str, at: datetime.datetime) -> None:
    """Two emails: one to the person, one to the staff address."""
    for k in (0, 1):
        writers["outgoingemail"].add(
            id=2 * i - 1 + k,
            public_id=uuid.uuid4(),
            subject_id=i,
            purpose="enquiries",
            to_address=email if k else "hello@wekst.com",
            subject_line="Thank you for your enquiry",
            body_text="We will get back to you shortly.\n" * 4,
            headers={},
            status="sent",
            attempts=1,
            created_at=at,
            sent_at=at,
        )


def _add_audit_entry(writers: dict, i: int, public_id: uuid.UUID, at: datetime.datetime) -> None:
    writers["auditentry"].add(
        id=i,
        sequence=i,
        at=at,
        actor="staff",
        action="view",
        object_type="leads.Lead",
        object_id=str(i),
        subject_ref=str(public_id),
        reason="change page",
        previous_hash=f"{i - 1:064x}",
        entry_hash=f"{i:064x}",
    )


def _add_consent_decision(writers: dict, i: int, at: datetime.datetime) -> None:
    writers["consentdecision"].add(
        id=i,
        consent_id=uuid.uuid4(),
        decided_at=at,
        action="reject_all",
        method="banner",
        analytics=False,
        marketing=False,
        embedded=False,
        gpc=False,
        banner_version="2026.2",
        policy_version="2026.2",
        language="nb",
    )


def _add_request(writers: dict, i: int, email: str, at: datetime.datetime) -> None:
    """A completed access request, due when the law says (wekst.deadlines)."""
    from wekst.deadlines import due_at

    writers["request"].add(
        id=i // 10,
        public_id=uuid.uuid4(),
        subject_id=i,
        kind="access",
        status="completed",
        received_via="portal",
        email=email,
        corrections={},
        consent_ids=[],
        analytics_client_ids=[],
        language="nb",
        received_at=at,
        due_at=due_at(at),
        extended_by_months=0,
        identity_check="A single-use link sent to the address given was used.",
        verified_at=at,
        closed_at=at,
        outcome="The report was made available in the privacy portal.",
    )


# Timing -------------------------------------------------------------------------------------


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def measure(n: int, repeat: int) -> dict[str, list[float]]:
    from rights.access_report import build_access_report
    from rights.reports import csv_lines
    from rights.services.erasure import erase_subject
    from subjects.models import Subject

    def export(subject) -> None:
        report = build_access_report(subject=subject, consent_ids=[str(uuid.uuid4())])
        json.dumps(report.as_json(), default=str)
        "".join(csv_lines(report))

    # Subjects spread over the whole table, each a multiple of 30 (so it has every kind of
    # record); warm-up runs first so that the figures are for a running server.
    step = max(n // (2 * repeat + 4), 30) // 30 * 30
    picks = [step * k for k in range(1, 2 * repeat + 3)]
    subjects = [Subject.objects.get(pk=pk) for pk in picks]
    exports, erasures = [], []
    export(subjects[0])
    erase_subject(subject=subjects[1], actor="bench", reason="warm-up")
    for subject in subjects[2 : 2 + repeat]:
        exports.append(_timed(lambda s=subject: export(s)))
    for subject in subjects[2 + repeat : 2 + 2 * repeat]:
        erasures.append(
            _timed(lambda s=subject: erase_subject(subject=s, actor="bench", reason="bench"))
        )
    return {"access export": exports, "erasure": erasures}


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--reseed", action="store_true")
    options = parser.parse_args()
    configure(options.database)

    from django.core.management import call_command
    from django.db import connection

    from subjects.models import Subject

    call_command("migrate", verbosity=0)
    if options.reseed or Subject.objects.count() < options.subjects - 1000:
        seed(options.subjects)
    total = Subject.objects.count()
    print(f"{connection.vendor}, {total} subjects in the database")
    for name, times in measure(options.subjects, options.repeat).items():
        print(f"{name:<15} {summary(times)}   (n={len(times)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
