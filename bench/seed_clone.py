"""Grow a PostgreSQL bench database to N subjects fast, by copying what bench/seed.py made, in SQL.

bench/seed.py builds every row in Python (about 12,000 subjects a minute on the shared two-core
machine): fine for 200,000, too slow for 1,000,000. This copies its people inside PostgreSQL
(INSERT ... SELECT, one transaction per round): each copied subject gets a new address, public id
and its own copies of the seed's lead, staff email, subscription (every second one) and three
consent decisions (spread over seed.py's 347 days), so the tables grow in the same proportions as
seed.py's. Seed some first:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wekst_x python bench/seed.py --subjects 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wekst_x python bench/seed_clone.py --subjects 1000000
"""

from __future__ import annotations

import argparse
import os
import time

import psycopg

# Columns each copy gets anew (the rest are copied as they are); `ns` is the new subject.
NEW = {
    "leads_lead": {
        "subject_id": "ns.id",
        "email": "ns.email",
        "public_id": "gen_random_uuid()",
        "notice_email_id": "NULL",
    },
    "mail_outgoingemail": {"subject_id": "ns.id", "public_id": "gen_random_uuid()"},
    "newsletter_subscription": {
        "subject_id": "ns.id",
        "public_id": "gen_random_uuid()",
        "unsubscribe_token": "md5(random()::text) || md5(random()::text)",
    },
}


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _round(connection, *, generation: int, count: int) -> None:
    """Copy `count` of seed.py's subjects, with all their rows, as generation `generation`."""
    prefix = f"c{generation}-"
    with connection.transaction(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        subject_columns = _columns(cursor, "subjects_subject")
        chosen = ", ".join(
            {"email": "%s || email", "public_id": "gen_random_uuid()"}.get(c, c)
            for c in subject_columns
        )
        cursor.execute(
            f"INSERT INTO subjects_subject ({', '.join(subject_columns)}) "  # noqa: S608
            f"SELECT {chosen} FROM subjects_subject WHERE email LIKE 'seed-%%' "
            "ORDER BY id LIMIT %s",
            [prefix, count],
        )
        for table, new in NEW.items():
            columns = _columns(cursor, table)
            chosen = ", ".join(new.get(c, f"t.{c}") for c in columns)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {chosen} "  # noqa: S608
                f"FROM {table} t JOIN subjects_subject os ON os.id = t.subject_id "
                "JOIN subjects_subject ns ON ns.email = %s || os.email "
                "WHERE os.email LIKE 'seed-%%'",
                [prefix],
            )
        columns = _columns(cursor, "consent_consentdecision")
        # Spread over seed.py's 500,000 minutes (347 days), as seed.py would spread these people.
        new = {
            "consent_id": "gen_random_uuid()",
            "public_id": "gen_random_uuid()",
            "decided_at": "now() - random() * interval '500000 minutes'",
        }
        chosen = ", ".join(new.get(c, c) for c in columns)
        cursor.execute(
            f"INSERT INTO consent_consentdecision ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {chosen} FROM consent_consentdecision WHERE banner_version = 'seed' "
            "ORDER BY id LIMIT %s",
            [3 * count],
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    options = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    start = time.perf_counter()
    with psycopg.connect(url) as connection:
        generation = 1
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM subjects_subject")
                total = cursor.fetchone()[0]
                cursor.execute("SELECT count(*) FROM subjects_subject WHERE email LIKE 'seed-%%'")
                seeds = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT count(*) FROM subjects_subject WHERE email LIKE %s",
                    [f"c{generation}-%"],
                )
                taken = cursor.fetchone()[0]
            connection.commit()
            if total >= options.subjects:
                break
            if taken:  # a generation copied by an earlier run
                generation += 1
                continue
            count = min(seeds, options.subjects - total)
            _round(connection, generation=generation, count=count)
            print(f"copied {count} subjects (generation {generation})", flush=True)
            generation += 1
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    print(f"{total} subjects ({time.perf_counter() - start:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
