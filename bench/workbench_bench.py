"""Time the staff workbench (wekst/workbench.py, SEC-04) on a seeded database: queries and time.

Seed first with bench/seed.py (same DATABASE_URL), then:

    DJANGO_ENV=development DATABASE_URL=sqlite:////tmp/x.sqlite3 python bench/workbench_bench.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
RUNS = 20


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wekst.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consent.models import ConsentDecision
    from subjects.models import Subject
    from wekst.workbench import workbench_for

    user, _ = get_user_model().objects.get_or_create(
        username="bench-workbench", defaults={"is_staff": True, "is_superuser": True}
    )
    workbench_for(user=user)  # warm the caches (declaration, permissions)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            workbench_for(user=user)
        timings.append((time.perf_counter() - start) * 1000)
    print(
        f"{connection.vendor}: {Subject.objects.count()} subjects, "
        f"{ConsentDecision.objects.count()} consent decisions; workbench: {len(queries)} queries, "
        f"median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms over {RUNS} runs",
        flush=True,
    )
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for query in slowest:
        print(f"  {float(query['time']) * 1000:.0f} ms: {query['sql'][:110]}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
