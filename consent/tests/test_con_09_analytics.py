"""Consent figures from the server-side log, as aggregates only (CON-09)."""

import datetime
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consent import analytics
from consent.models import ConsentDecision

REFUSE = {"analytics": False, "marketing": False, "embedded": False}


def _decide(n, *, action=ConsentDecision.Action.ACCEPT_ALL, version="2", **fields):
    values = {"analytics": True, "marketing": True, "embedded": True, "gpc": False}
    if action == ConsentDecision.Action.REJECT_ALL:
        values.update(REFUSE)
    values.update(fields)
    ConsentDecision.objects.bulk_create(
        ConsentDecision(
            consent_id=uuid.uuid4(),
            action=action,
            method=ConsentDecision.Method.BANNER,
            banner_version=version,
            policy_version="1",
            language="en",
            **values,
        )
        for _ in range(n)
    )


@pytest.mark.django_db
def test_con_09_rates_by_banner_version_and_gpc_share():
    _decide(3, version="1")
    _decide(1, action=ConsentDecision.Action.REJECT_ALL, version="1", gpc=True)
    _decide(1, action=ConsentDecision.Action.REJECT_ALL, version="2")
    _decide(
        1,
        action=ConsentDecision.Action.CHOOSE,
        version="2",
        analytics=True,
        marketing=False,
        embedded=False,
    )
    by_version = {row.label: row for row in analytics.consent_by_banner_version()}
    assert by_version["1"].decisions == 4
    assert by_version["1"].acceptance_rate == 75.0
    assert by_version["1"].rejection_rate == 25.0
    assert by_version["1"].gpc_share == 25.0
    assert by_version["2"].decisions == 2
    assert by_version["2"].analytics_rate == 50.0
    assert by_version["2"].marketing_rate == 0.0
    totals = analytics.consent_totals()
    assert (totals.decisions, totals.accepted, totals.rejected, totals.gpc) == (6, 3, 2, 1)


@pytest.mark.django_db
def test_con_09_by_day_counts_only_the_window_and_only_first_choices():
    start = timezone.now()
    with time_machine.travel(start - datetime.timedelta(days=40), tick=False):
        _decide(5)
    with time_machine.travel(start - datetime.timedelta(days=2), tick=False):
        _decide(2)
    _decide(1)
    # A change in the cookie settings is not a second visitor.
    ConsentDecision.objects.create(
        consent_id=uuid.uuid4(),
        action=ConsentDecision.Action.REJECT_ALL,
        method=ConsentDecision.Method.SETTINGS,
        banner_version="2",
        policy_version="1",
        language="en",
        gpc=False,
        **REFUSE,
    )
    days = analytics.consent_by_day(now=start)
    assert sum(row.decisions for row in days) == 3
    assert [row.decisions for row in days] == [1, 2]


@pytest.mark.django_db
def test_con_09_each_table_is_one_aggregate_query_whatever_the_rows():
    _decide(50)
    _decide(50, action=ConsentDecision.Action.REJECT_ALL, version="1")
    for selector in (
        analytics.consent_totals,
        analytics.consent_by_day,
        analytics.consent_by_banner_version,
    ):
        with CaptureQueriesContext(connection) as queries:
            selector()
        assert len(queries) == 1
        assert "GROUP BY" in queries[0]["sql"] or "COUNT" in queries[0]["sql"]


@pytest.mark.django_db
def test_con_09_the_page_shows_only_counts_and_rates(privacy_officer_client, sales_client):
    _decide(2)
    consent_id = ConsentDecision.objects.first().consent_id
    response = privacy_officer_client.get("/admin/consent/figures/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "By banner version" in page and "100.0" in page
    assert str(consent_id) not in page and consent_id.hex not in page
    assert sales_client.get("/admin/consent/figures/").status_code == 403
