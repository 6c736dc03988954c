"""A returning visitor's latest logged decision, read on every page they open (CON-08), is one
probe of the consent_history index (SEC-05): not a walk backwards through everyone's decisions
since theirs, which grew with the log (docs/benchmarks.md)."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from consent import selectors
from consent.models import ConsentDecision
from consent.tests.factories import make_decision

pytestmark = pytest.mark.django_db


def test_sec_05_the_latest_decision_is_the_browsers_newest():
    start = timezone.now()
    first = make_decision()
    make_decision(decided_at=start + datetime.timedelta(seconds=1))  # another browser's
    newest = make_decision(
        consent_id=first.consent_id,
        action=ConsentDecision.Action.REJECT_ALL,
        analytics=False,
        marketing=False,
        embedded=False,
    )

    assert selectors.latest_decision(first.consent_id) == newest


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_sec_05_the_latest_decision_is_read_by_one_index_probe():
    visitor = make_decision()
    for _ in range(50):  # other browsers' decisions, newer than the visitor's
        make_decision()
    query = ConsentDecision.objects.filter(consent_id=visitor.consent_id)[:1].query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        # A table of a test's size would be read whole, indexes or not; production's is not.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "consent_history" in plan, plan
    assert "Sort" not in plan and "Filter" not in plan, plan
