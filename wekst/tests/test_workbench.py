"""The staff workbench (SEC-04): what needs staff today, by role, in a bounded number of queries."""

import datetime
import uuid
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from breaches.tests.factories import make_breach
from consent.models import ConsentDecision
from mail.models import OutgoingEmail
from rights.models import Objection, ProcessorNotice, Request
from wekst import workbench

DAY = datetime.timedelta(days=1)


def _requests(*, status, due_at, n=1, received_at=None):
    verified = None if status == Request.Status.UNVERIFIED else timezone.now()
    Request.objects.bulk_create(
        Request(
            kind=Request.Kind.ACCESS,
            status=status,
            received_via=Request.ReceivedVia.PORTAL,
            email=f"person{uuid.uuid4().hex[:8]}@example.org",
            due_at=due_at,
            verified_at=verified,
        )
        for _ in range(n)
    )


def _decisions(n, **fields):
    values = {
        "action": ConsentDecision.Action.ACCEPT_ALL,
        "method": ConsentDecision.Method.BANNER,
        "analytics": True,
        "marketing": True,
        "embedded": True,
        "gpc": False,
        "banner_version": "2",
        "policy_version": "1",
        "language": "en",
    }
    values.update(fields)
    ConsentDecision.objects.bulk_create(
        ConsentDecision(consent_id=uuid.uuid4(), **values) for _ in range(n)
    )


def _line(sections, title, label):
    section = next(s for s in sections if s.title == title)
    return next(line for line in section.lines if line.label == label)


def _user(django_user_model, role):
    from staff.services import sync_roles  # noqa: PLC0415 (test set-up only)

    sync_roles()
    user = django_user_model.objects.create_user(username=role, is_staff=True)
    from django.contrib.auth.models import Group  # noqa: PLC0415

    user.groups.add(Group.objects.get(name=role))
    return django_user_model.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_sec_04_requests_by_days_left_relative_to_now(django_user_model):
    officer = _user(django_user_model, "Privacy officer")
    start = timezone.now()
    _requests(status=Request.Status.OPEN, due_at=start + 3 * DAY, n=2)
    _requests(status=Request.Status.OPEN, due_at=start + 20 * DAY)
    _requests(status=Request.Status.FORWARDED, due_at=start + 10 * DAY)
    _requests(status=Request.Status.UNVERIFIED, due_at=start + 30 * DAY, n=3)
    _requests(status=Request.Status.COMPLETED, due_at=start - 5 * DAY)

    def counts(at):
        with time_machine.travel(at, tick=False):
            sections = workbench.workbench_for(user=officer)
        title = "Privacy requests"
        return (
            _line(sections, title, "Overdue").count,
            _line(sections, title, "Due within 7 days").count,
            _line(sections, title, "Waiting for the person to verify").count,
        )

    assert counts(start) == (0, 2, 3)
    # Five days on, the two due in three days are overdue and the forwarded one is due this week.
    assert counts(start + 5 * DAY) == (2, 1, 3)
    # Three weeks on, every open request is overdue; a completed one never is.
    assert counts(start + 21 * DAY) == (4, 0, 3)


@pytest.mark.django_db
def test_sec_04_breach_clock_objections_notices_and_failed_email(django_user_model):
    officer = _user(django_user_model, "Privacy officer")
    start = timezone.now()
    make_breach(title="Laptop lost", became_aware_at=start - datetime.timedelta(hours=10))
    OutgoingEmail.objects.create(
        purpose="x", to_address="a@example.org", subject_line="s", body_text="b", status="retrying"
    )
    with time_machine.travel(start, tick=False):
        sections = workbench.workbench_for(user=officer)
    breach = _line(sections, "Breaches", "Laptop lost")
    assert breach.text == "62 h 0 min left" and not breach.urgent
    assert _line(sections, "Breaches", "Open breaches").count == 1
    assert _line(sections, "Emails and background tasks", "Emails failing, will retry").count == 1
    with time_machine.travel(start + 3 * DAY, tick=False):
        later = workbench.workbench_for(user=officer)
    assert _line(later, "Breaches", "Laptop lost").urgent
    assert "overdue" in _line(later, "Breaches", "Laptop lost").text
    assert _line(sections, "Objections", "Grounds recorded, waiting for review").count == 0
    notices = "Waiting for a person (no automatic connector)"
    assert _line(sections, "Notices to processors", notices).count == 0
    assert Objection.objects.count() == ProcessorNotice.objects.count() == 0


@pytest.mark.django_db
def test_sec_04_sales_sees_only_leads_meetings_and_audience_segments(django_user_model):
    sales = _user(django_user_model, "Sales")
    officer = _user(django_user_model, "Privacy officer")
    titles = [s.title for s in workbench.workbench_for(user=sales)]
    assert titles == ["Leads and meetings", "Marketing profiling"]
    officer_titles = [s.title for s in workbench.workbench_for(user=officer)]
    for title in (
        "Privacy requests",
        "Breaches",
        "Notices to processors",
        "Objections",
        "Leads and meetings",
        "Consent (last 30 days)",
        "Marketing profiling",
        "Retention",
        "Recipients and disclosures",
        "Clinics",
        "Policy and records",
        "Emails and background tasks",
    ):
        assert title in officer_titles


@pytest.mark.django_db
def test_sec_04_next_sweep_is_the_next_0330_in_oslo():
    start = timezone.now()
    upcoming = workbench.next_sweep(start)
    assert start < upcoming <= start + DAY
    oslo = upcoming.astimezone(zoneinfo.ZoneInfo("Europe/Oslo"))
    assert (oslo.hour, oslo.minute) == (3, 30)


def _count_queries(user):
    with CaptureQueriesContext(connection) as queries:
        workbench.workbench_for(user=user)
    return len(queries)


@pytest.mark.django_db
def test_sec_04_the_workbench_costs_the_same_queries_as_the_data_grows(django_user_model):
    officer = _user(django_user_model, "Privacy officer")
    start = timezone.now()
    _count_queries(officer)  # warms the permission cache of the user
    small = _count_queries(officer)
    _requests(status=Request.Status.OPEN, due_at=start - DAY, n=200)
    _requests(status=Request.Status.UNVERIFIED, due_at=start + 20 * DAY, n=200)
    for i in range(8):
        make_breach(title=f"Breach {i}", became_aware_at=start - datetime.timedelta(hours=i))
    _decisions(300)
    _decisions(
        100,
        action=ConsentDecision.Action.REJECT_ALL,
        gpc=True,
        analytics=False,
        marketing=False,
        embedded=False,
        banner_version="1",
    )
    large = _count_queries(officer)
    assert small == large
    assert large <= workbench.QUERY_BUDGET


@pytest.mark.django_db
def test_sec_04_the_admin_index_shows_the_workbench(privacy_officer_client, sales_client):
    page = privacy_officer_client.get("/admin/").content.decode()
    assert "What needs you today" in page and "Privacy requests" in page
    sales_page = sales_client.get("/admin/").content.decode()
    assert "What needs you today" in sales_page and "Leads and meetings" in sales_page
    assert "Privacy requests" not in sales_page and "Breaches" not in sales_page


@pytest.mark.django_db
def test_sec_04_the_counts_that_grow_with_the_history_read_an_index_of_their_own(
    django_user_model,
):
    """The two counts that read history (the consent figures of 30 days, the Art. 14 notices
    still owed) are answered from their partial indexes, not by a scan of the table: at a million
    subjects the scans took 0.3-1 s each on PostgreSQL (docs/benchmarks.md)."""
    if connection.vendor != "sqlite":
        pytest.skip("the plan is read in SQLite's words; PostgreSQL's is in docs/benchmarks.md")
    officer = _user(django_user_model, "Privacy officer")
    _decisions(20)
    _count_queries(officer)
    with CaptureQueriesContext(connection) as queries:
        workbench.workbench_for(user=officer)
    plans = {}
    for query in queries.captured_queries:
        sql = query["sql"]
        if "consent_consentdecision" in sql or "other_source" in sql:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                plans[sql] = " ".join(str(row[-1]) for row in cursor.fetchall())

    [consent] = [plan for sql, plan in plans.items() if "consent_consentdecision" in sql]
    [art14] = [plan for sql, plan in plans.items() if "other_source" in sql]
    assert (
        "USING INDEX consent_banner_figures" in consent
        or "COVERING INDEX consent_banner_figures" in consent
    )
    assert "lead_awaiting_art14_notice" in art14
    assert len(queries) <= workbench.QUERY_BUDGET
