"""wekst.prepared: a read compiled once per process gives the row the ORM gives, and several
reads go to PostgreSQL in one round trip (SEC-05, issue 23). The pages are the ones the
migrations write (content 0002, 0003)."""

import datetime
import uuid

import pytest
from django.db import connection

from consent.models import ConsentDecision
from consent.tests.factories import make_decision
from content.models import Page
from wekst.prepared import OneRowQuery, first_rows

pytestmark = pytest.mark.django_db

PAGE = OneRowQuery(Page, lambda slug: Page.objects.filter(slug=slug))
LATEST = OneRowQuery(
    ConsentDecision,
    lambda consent_id: ConsentDecision.objects.filter(consent_id=consent_id).order_by(
        "-decided_at", "-id"
    ),
)


def two_decisions() -> ConsentDecision:
    """Two logged decisions of one browser; the newer is returned."""
    older = make_decision(analytics=True)
    ConsentDecision.objects.filter(pk=older.pk).update(
        decided_at=older.decided_at - datetime.timedelta(days=1)
    )
    return make_decision(consent_id=older.consent_id, analytics=False)


def fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def same_as_the_orm(found, expected) -> None:
    assert type(found) is type(expected)
    assert fields(found) == fields(expected)
    assert found._state.adding is False
    assert found._state.db == expected._state.db


class Executed:
    """The statements sent to the database (one execute may hold several)."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)


def test_sec_05_a_prepared_read_gives_the_orms_row_and_none_for_no_row():
    decision = two_decisions()

    same_as_the_orm(PAGE.first("home"), Page.objects.get(slug="home"))
    same_as_the_orm(LATEST.first(decision.consent_id), ConsentDecision.objects.get(pk=decision.pk))
    assert PAGE.first("no-such-page") is None
    assert LATEST.first(uuid.uuid4()) is None


@pytest.mark.parametrize("missing", ["none", "page", "decision", "both"])
def test_sec_05_several_reads_give_each_its_own_row_in_order(missing):
    decision = two_decisions()
    slug = "no-such-page" if missing in ("page", "both") else "home"
    consent_id = uuid.uuid4() if missing in ("decision", "both") else decision.consent_id

    found = first_rows((PAGE, slug), (LATEST, consent_id))

    expected = [PAGE.first(slug), LATEST.first(consent_id)]
    assert [x is None for x in found] == [x is None for x in expected]
    for one, other in zip(found, expected, strict=True):
        if other is not None:
            same_as_the_orm(one, other)


def test_sec_05_several_reads_are_one_round_trip_on_postgresql():
    decision = two_decisions()
    executed = Executed()

    with connection.execute_wrapper(executed):
        first_rows((PAGE, "home"), (LATEST, decision.consent_id))

    assert len(executed.sql) == (1 if connection.vendor == "postgresql" else 2)
