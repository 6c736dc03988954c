"""RT-09: what the retention sweep erases is erased at the processors that received it too, through
the same retried notice as a rights erasure (RG-12), counted in the sweep's evidence (RT-08); a
daily reconciliation reports what a processor still holds beyond its rule."""

import datetime
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from clinics.tests.factories import make_accounting_record
from leads.meetings import record_booking
from leads.models import Lead, Meeting
from leads.tests.factories import make_lead
from newsletter.models import Subscription
from newsletter.services import start_subscription
from processors import connectors
from processors.fake import FakeConnector
from processors.testing import put_on_record
from retention import reconciliation
from retention.models import ProcessorCheck, StillHeld, SweepRun
from retention.services import run_sweep
from rights.models import ProcessorNotice
from rights.services import erase_subject
from rights.tests.test_rig_04_connectors import FakeProcessor
from subjects.services import find_or_create_subject
from wekst.schedules import SCHEDULES

pytestmark = pytest.mark.django_db

EMAIL = "kari.nordmann@klinikk.example"
# Past the 24 months of `lead_after_last_contact`, whatever the date the test starts on.
PAST_THE_LEAD_RULE = datetime.timedelta(days=2 * 366 + 31)


@pytest.fixture(autouse=True)
def fake_connectors(monkeypatch) -> dict[str, FakeConnector]:
    """Every erasure connector replaced by a fake that records what it was asked to erase."""
    fakes = {key: FakeConnector() for key in connectors.CONNECTORS[connectors.ERASURE]}
    for key, fake in fakes.items():
        monkeypatch.setitem(connectors.CONNECTORS[connectors.ERASURE], key, fake)
    return fakes


@pytest.fixture
def brevo(settings, tmp_path):
    """Brevo's API played by a local HTTP server, with its agreement on record: send() reaches a
    processor only then (DEC-07, PT-02)."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    put_on_record("email_provider")
    server = FakeProcessor()
    settings.BREVO_API_KEY = "brevo-key"
    settings.BREVO_API_URL = server.url
    yield server
    server.stop()


def lead_with_a_trafft_meeting(email: str = EMAIL, booking_id: str = "appt-8812") -> Lead:
    """A lead who enquired (sent through Brevo, the email provider) and booked through Trafft."""
    lead = make_lead(email=email, name="Kari Nordmann", phone="+47 912 34 567")
    record_booking(
        provider="trafft",
        status="booked",
        booking_id=booking_id,
        name="Kari Nordmann",
        email=email,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        ends_at=timezone.now() + datetime.timedelta(days=3, minutes=30),
        occurred_at=timezone.now(),
    )
    return lead


def sweep(at: datetime.datetime) -> SweepRun:
    with time_machine.travel(at, tick=False):
        return run_sweep(trigger=SweepRun.Trigger.SCHEDULE)


def notices_of(run: SweepRun) -> dict[str, int]:
    total: dict[str, int] = {}
    for count in run.counts.all():
        for processor, n in count.notices.items():
            total[processor] = total.get(processor, 0) + n
    return total


# The sweep passes its erasures on ----------------------------------------------------------------


def test_rt_09_the_sweep_erasing_a_lead_tells_brevo_and_trafft_through_the_worker(
    fake_connectors, run_tasks
):
    start = timezone.now()
    lead = lead_with_a_trafft_meeting()
    subject_ref = str(lead.subject.public_id)

    run = sweep(start + PAST_THE_LEAD_RULE)

    assert not Lead.objects.exists() and not Meeting.objects.exists()
    notices = ProcessorNotice.objects.order_by("processor")
    assert [(n.processor, n.kind, n.cause) for n in notices] == [
        ("email_provider", "erasure", "retention"),
        ("trafft", "erasure", "retention"),
    ]
    assert {n.sweep_run_id for n in notices} == {run.pk}
    assert {n.request_id for n in notices} == {None}
    assert {n.subject_ref for n in notices} == {subject_ref}

    with time_machine.travel(start + PAST_THE_LEAD_RULE, tick=False):
        run_tasks()

    # Each processor is told by what it knows the person by, captured before the rows went.
    [brevo_target] = fake_connectors["email_provider"].calls
    assert brevo_target.emails == (EMAIL,)
    [trafft_target] = fake_connectors["trafft"].calls
    assert (trafft_target.emails, trafft_target.booking_ids) == ((EMAIL,), ("appt-8812",))
    assert trafft_target.phones == ("+4791234567",)
    # Cal.com never received her data; Google Analytics is left to its own retention setting.
    assert fake_connectors["calcom"].calls == []
    assert fake_connectors["google_analytics"].calls == []
    for notice in ProcessorNotice.objects.all():
        assert notice.status == ProcessorNotice.Status.DONE
        assert notice.identifiers == {}


def test_rt_09_the_sweeps_evidence_counts_the_notices_per_processor_without_personal_data():
    start = timezone.now()
    lead_with_a_trafft_meeting()
    lead_with_a_trafft_meeting(email="ola.hansen@klinikk.example", booking_id="appt-9913")

    run = sweep(start + PAST_THE_LEAD_RULE)

    assert notices_of(run) == {"email_provider": 2, "trafft": 2}
    lead_count = run.counts.get(rule="lead_after_last_contact")
    assert lead_count.erased == 4  # two enquiries, two booked meetings' leads
    evidence = json.dumps(
        [list(SweepRun.objects.filter(pk=run.pk).values()), list(run.counts.values())],
        default=str,
    )
    assert "klinikk.example" not in evidence and "appt-8812" not in evidence


def test_rt_09_batches_that_pass_erasures_on_are_smaller(monkeypatch):
    monkeypatch.setattr("retention.services.PASSING_ON_BATCH_SIZE", 1)
    start = timezone.now()
    make_lead(email="one@klinikk.example")
    make_lead(email="two@klinikk.example")

    run = sweep(start + PAST_THE_LEAD_RULE)

    # Finding what processors hold costs time per person: one person per transaction here.
    count = run.counts.get(rule="lead_after_last_contact")
    assert (count.erased, count.batches, count.notices) == (2, 2, {"email_provider": 2})


def test_rt_09_nothing_is_queued_for_a_person_no_processor_received():
    start = timezone.now()
    year_end = datetime.date(timezone.localdate().year - 7, 12, 31)
    subject = find_or_create_subject(email="regnskap@klinikk.example")
    make_accounting_record(year_end=year_end, subject=subject)

    run = sweep(start)

    assert run.counts.get(rule="accounting_primary").erased == 1
    assert notices_of(run) == {}
    assert not ProcessorNotice.objects.exists()


def test_rt_09_a_processor_still_needed_by_a_record_kept_is_not_told():
    start = timezone.now()
    lead = lead_with_a_trafft_meeting()
    start_subscription(
        email=EMAIL, name="Kari", source="newsletter_form", consent_wording="Yes", language="en"
    )
    Subscription.objects.filter(subject=lead.subject).update(
        status="confirmed", confirmed_at=timezone.now()
    )

    run = sweep(start + PAST_THE_LEAD_RULE)

    # The enquiry and the meeting are gone; she is still a subscriber, whom Brevo sends to.
    assert not Lead.objects.exists()
    assert Subscription.objects.filter(subject=lead.subject).exists()
    assert notices_of(run) == {"trafft": 1}
    assert list(ProcessorNotice.objects.values_list("processor", flat=True)) == ["trafft"]


def test_rt_09_a_failing_processor_is_retried_and_visible_to_staff(
    fake_connectors, run_tasks, admin_client
):
    fake_connectors["trafft"].failures = 1
    start = timezone.now()
    lead_with_a_trafft_meeting()
    run = sweep(start + PAST_THE_LEAD_RULE)
    swept = start + PAST_THE_LEAD_RULE

    with time_machine.travel(swept, tick=False):
        run_tasks()
    notice = ProcessorNotice.objects.get(processor="trafft")
    assert (notice.status, notice.attempts) == (ProcessorNotice.Status.PENDING, 1)
    assert "Fake outage" in notice.last_error
    assert notice.identifiers["booking_ids"] == ["appt-8812"]
    listing = admin_client.get("/admin/rights/processornotice/?cause=retention").text
    assert "Pending, will retry" in listing and "Fake outage" in listing
    assert f"retention sweep {run.pk}" in listing  # where the notice came from

    with time_machine.travel(swept + datetime.timedelta(minutes=2), tick=False):
        run_tasks()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == ("done", 2, "")
    assert len(fake_connectors["trafft"].calls) == 2


def test_rt_09_staff_see_whether_a_notice_came_from_the_sweep_or_another_erasure(
    admin_client, settings, tmp_path
):
    settings.WEKST_ERASURE_LEDGER_PATH = tmp_path / "erasure-ledger.jsonl"
    start = timezone.now()
    erased_by_staff = make_lead(email="asked@klinikk.example")
    make_lead(email="expired@klinikk.example")
    with time_machine.travel(start + datetime.timedelta(days=1), tick=False):
        erase_subject(subject=erased_by_staff.subject, actor="admin", reason="by phone")
    run = sweep(start + PAST_THE_LEAD_RULE)

    causes = dict(ProcessorNotice.objects.values_list("cause", "sweep_run"))
    assert causes == {"other": None, "retention": run.pk}
    listing = admin_client.get("/admin/rights/processornotice/").text
    assert f"retention sweep {run.pk}" in listing and "Another erasure" in listing


# The reconciliation --------------------------------------------------------------------------


def contact(contact_id: int, email: str, created_at: datetime.datetime) -> dict:
    return {"id": contact_id, "email": email, "createdAt": created_at.isoformat()}


def reconcile(at: datetime.datetime) -> dict[str, ProcessorCheck]:
    with time_machine.travel(at, tick=False):
        checks = reconciliation.reconcile_processors(trigger=SweepRun.Trigger.SCHEDULE)
    return {check.processor: check for check in checks}


def test_rt_09_the_reconciliation_reports_a_contact_brevo_still_holds_after_the_sweep(
    brevo, run_tasks
):
    start = timezone.now()
    lead_with_a_trafft_meeting()
    make_lead(email="still.a.lead@klinikk.example", name="Per")  # a lead kept: Brevo needs it
    swept = start + PAST_THE_LEAD_RULE
    sweep(swept)
    with time_machine.travel(swept, tick=False):
        run_tasks()
        recent = make_lead(email="new.lead@klinikk.example", name="Nina")
    # Brevo holds her again (re-imported, say), beside a lead we still keep.
    brevo.answers = [
        (
            200,
            {
                "contacts": [
                    contact(42, EMAIL, swept + datetime.timedelta(days=1)),
                    contact(43, recent.email, swept),
                ],
                "count": 2,
            },
        )
    ]

    checks = reconcile(swept + datetime.timedelta(days=30))

    [call] = brevo.calls
    assert call["method"] == "GET" and call["headers"]["api-key"] == "brevo-key"
    query = parse_qs(urlsplit(call["path"]).query)
    assert (urlsplit(call["path"]).path, query["offset"], query["sort"]) == (
        "/contacts",
        ["0"],
        ["asc"],
    )
    check = checks["email_provider"]
    assert (check.asked, check.checked, check.still_held, check.error) == (True, 2, 1, "")
    [finding] = check.findings.all()
    assert finding.reference == "Brevo contact 42"
    assert "klinikk.example" not in finding.reference + finding.reason
    # The processors that cannot be asked say what they rely on instead.
    assert checks["google_analytics"].asked is False
    assert "data retention setting" in checks["google_analytics"].note
    assert checks["trafft"].asked is False and checks["trafft"].still_held == 0


def test_rt_09_the_reconciliation_reports_nothing_once_the_contact_is_gone(brevo, run_tasks):
    start = timezone.now()
    lead_with_a_trafft_meeting()
    swept = start + PAST_THE_LEAD_RULE
    sweep(swept)
    with time_machine.travel(swept, tick=False):
        run_tasks()
    brevo.answers = [(200, {"contacts": [], "count": 0})]

    checks = reconcile(swept + datetime.timedelta(days=30))

    assert (checks["email_provider"].still_held, checks["email_provider"].asked) == (0, True)
    assert not StillHeld.objects.exists()


def test_rt_09_an_erasure_not_confirmed_after_the_grace_period_is_reported(
    fake_connectors, run_tasks, settings
):
    settings.RETENTION_RECONCILIATION_GRACE_DAYS = 14
    fake_connectors["trafft"].manual = True  # Trafft without a relay: waits for staff
    start = timezone.now()
    lead_with_a_trafft_meeting()
    swept = start + PAST_THE_LEAD_RULE
    sweep(swept)
    with time_machine.travel(swept, tick=False):
        run_tasks()
    notice = ProcessorNotice.objects.get(processor="trafft")
    assert notice.status == ProcessorNotice.Status.MANUAL

    assert reconcile(swept + datetime.timedelta(days=3))["trafft"].still_held == 0  # in time
    later = reconcile(swept + datetime.timedelta(days=15))

    [finding] = later["trafft"].findings.all()
    assert (finding.notice, finding.reference) == (notice, f"notice {notice.public_id}")
    assert "not confirmed" in finding.reason
    # Brevo was not configured: it could not be asked, and the check says why.
    assert later["email_provider"].asked is False
    assert "BREVO_API_KEY" in later["email_provider"].error


def test_rt_09_the_reconciliation_reads_a_bounded_number_of_pages_and_carries_on(
    brevo, settings, monkeypatch
):
    settings.RETENTION_RECONCILIATION_MAX_PAGES = 1
    monkeypatch.setattr(reconciliation, "PAGE_SIZE", 1)
    start = timezone.now()
    old = start - datetime.timedelta(days=400)
    brevo.answers = [
        (200, {"contacts": [contact(7, "gone.one@klinikk.example", old)], "count": 2}),
        (200, {"contacts": [contact(8, "gone.two@klinikk.example", old)], "count": 2}),
    ]

    first = reconcile(start)["email_provider"]
    second = reconcile(start + datetime.timedelta(days=1))["email_provider"]

    assert len(brevo.calls) == 2
    assert (first.checked, first.next_offset) == (1, 1)
    assert parse_qs(urlsplit(brevo.calls[1]["path"]).query)["offset"] == ["1"]
    assert (second.checked, second.next_offset) == (1, 0)  # the end: next time from the top
    assert [f.reference for f in StillHeld.objects.order_by("pk")] == [
        "Brevo contact 7",
        "Brevo contact 8",
    ]


def test_rt_09_a_brevo_outage_stops_the_check_with_its_reason(brevo):
    brevo.answers = [(503, {"message": "maintenance"})]

    check = reconcile(timezone.now())["email_provider"]

    assert check.asked is True and check.checked == 0
    assert "HTTP 503" in check.error


def test_rt_09_the_reconciliation_is_a_command_and_a_daily_schedule(brevo):
    brevo.answers = [(200, {"contacts": [], "count": 0})]
    out = io.StringIO()

    call_command("reconcile_processors", stdout=out)

    assert "email_provider" in out.getvalue() and "0 still held." in out.getvalue()
    assert ProcessorCheck.objects.filter(trigger="command").count() == len(
        connectors.CONNECTORS[connectors.ERASURE]
    )
    assert any(s.task == "retention.tasks.reconcile_processors" for s in SCHEDULES)


def test_rt_09_the_policy_promises_that_processors_delete_their_copies_too(client):
    # Kept by the sweep passing its erasures on (the tests above), as a rights erasure does.
    policy = client.get("/privacy/").text

    assert "we also tell the processors that received it to delete their copies" in policy
