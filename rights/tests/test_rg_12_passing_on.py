"""RG-12: erasure, rectification and restriction reach every processor holding the person's data
(GDPR Art. 19), through a retried job staff can see, and the person is told who those processors
are in their access report."""

import csv
import datetime
import io
import json
import re

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import AuditEntry
from mail.models import OutgoingEmail
from processors import calcom, connectors, email_provider, trafft
from processors.connectors import ManualStepNeeded, ProcessorTarget
from processors.fake import FakeConnector
from processors.testing import put_on_record
from rights.models import ProcessorNotice, Request, Restriction
from rights.services import SUPERSEDED_BY_ERASURE, erase_subject
from rights.tests.factories import CONSENT_ID, EMAIL, submit_and_verify
from rights.tests.test_rig_04_connectors import FakeProcessor

pytestmark = pytest.mark.django_db

CLIENT_ID = "1234567.1700000000"
OLD_PHONE = "+4791234567"  # the person fixture's "+47 912 34 567", as the subject index holds it
NEW_NAME, NEW_PHONE = "Kari Nordmann-Berg", "+47 999 88 777"


def _rectify(client, admin_client, **corrections) -> Request:
    """A rectification asked for in the portal, then applied by staff after review."""
    request = submit_and_verify(client, kind="rectification", **corrections)
    admin_client.post(
        "/admin/rights/request/",
        {"action": "apply_rectification", "_selected_action": [request.pk]},
    )
    request.refresh_from_db()
    assert request.status == Request.Status.COMPLETED
    return request


def _notices(kind: str) -> dict[str, ProcessorNotice]:
    return {job.processor: job for job in ProcessorNotice.objects.filter(kind=kind)}


# Rectification ------------------------------------------------------------------------------


def test_rg_12_a_rectification_reaches_the_email_provider_with_the_old_address_and_new_values(
    client, admin_client, person, fake_connectors_by_kind, run_tasks
):
    _rectify(client, admin_client, name=NEW_NAME, phone=NEW_PHONE)
    run_tasks()

    brevo = fake_connectors_by_kind["rectification"]["email_provider"]
    [target] = brevo.calls
    assert target.emails == (EMAIL,)
    assert brevo.changes == [{"name": NEW_NAME, "phone": "+4799988777"}]


def test_rg_12_a_rectification_reaches_the_booking_provider_by_the_old_phone_number(
    client, admin_client, person, fake_connectors_by_kind, run_tasks
):
    _rectify(client, admin_client, name=NEW_NAME, phone=NEW_PHONE)
    run_tasks()

    # Trafft knows her by what we sent it before the correction: the old number, the booking.
    [target] = fake_connectors_by_kind["rectification"]["trafft"].calls
    assert target.phones == (OLD_PHONE,)
    assert target.booking_ids == ("appt-8812",)
    assert fake_connectors_by_kind["rectification"]["trafft"].changes == [
        {"name": NEW_NAME, "phone": "+4799988777"}
    ]
    # Cal.com never received her data; Google Analytics holds no name or number to correct.
    assert fake_connectors_by_kind["rectification"]["calcom"].calls == []
    assert set(_notices("rectification")) == {"trafft", "email_provider"}


def test_rg_12_b_each_processor_gets_only_the_corrected_values_it_holds(
    client, admin_client, person, fake_connectors_by_kind, run_tasks
):
    _rectify(client, admin_client, company="Berg Tannklinikk", role="Daglig leder")
    run_tasks()

    # Professional details go to the email/CRM provider, which the declaration says holds them;
    # the booking provider never received them, so it is not told.
    assert fake_connectors_by_kind["rectification"]["email_provider"].changes == [
        {"company": "Berg Tannklinikk", "role": "Daglig leder"}
    ]
    assert fake_connectors_by_kind["rectification"]["trafft"].calls == []
    assert set(_notices("rectification")) == {"email_provider"}


def test_rg_12_b_the_person_is_told_who_the_correction_was_passed_on_to(
    client, admin_client, person, run_tasks
):
    request = _rectify(client, admin_client, name=NEW_NAME)

    assert request.outcome.endswith("Passed on to Trafft, Brevo.")
    email = OutgoingEmail.objects.filter(to_address=EMAIL).order_by("-pk").first()
    assert "We have passed the correction on to: Trafft, Brevo" in email.body_text


def test_rg_12_c_done_clears_the_identifiers_and_the_corrected_values(
    client, admin_client, person, run_tasks
):
    request = _rectify(client, admin_client, name=NEW_NAME, phone=NEW_PHONE)
    pending = ProcessorNotice.objects.get(kind="rectification", processor="email_provider")
    assert pending.identifiers["emails"] == [EMAIL]
    assert pending.changes == {"name": NEW_NAME, "phone": "+4799988777"}
    assert pending.request == request

    run_tasks()

    for job in ProcessorNotice.objects.filter(kind="rectification"):
        assert job.status == ProcessorNotice.Status.DONE
        assert job.completed_by == "system:processor_connector"
        assert (job.identifiers, job.changes) == ({}, {})
    assert set(
        AuditEntry.objects.filter(object_type="rights.ProcessorNotice").values_list(
            "action", "reason"
        )
    ) == {
        ("change", "rectification passed on to email_provider"),
        ("change", "rectification passed on to trafft"),
    }


# Restriction ---------------------------------------------------------------------------------


def test_rg_12_d_a_restriction_reaches_every_processor_holding_the_data(
    client, person, fake_connectors_by_kind, run_tasks
):
    request = submit_and_verify(client, kind="restriction", analytics_client_id=CLIENT_ID)
    run_tasks()

    assert request.status == Request.Status.COMPLETED
    restricted = fake_connectors_by_kind["restriction"]
    assert [t.emails for t in restricted["email_provider"].calls] == [(EMAIL,)]
    assert [t.booking_ids for t in restricted["trafft"].calls] == [("appt-8812",)]
    assert restricted["calcom"].calls == []
    # Google Analytics holds a pseudonymous client id only: no restriction notice goes there.
    assert set(_notices("restriction")) == {"trafft", "email_provider"}
    for job in ProcessorNotice.objects.filter(kind="restriction"):
        assert job.status == ProcessorNotice.Status.DONE
        assert (job.identifiers, job.changes) == ({}, {})
    email = OutgoingEmail.objects.filter(to_address=EMAIL).order_by("-pk").first()
    assert "We have passed the restriction on to: Trafft, Brevo" in email.body_text


def test_rg_12_d_a_restriction_already_in_force_is_not_passed_on_again(client, person):
    submit_and_verify(client, kind="restriction")
    submit_and_verify(client, kind="restriction")

    assert Restriction.objects.filter(lifted_at__isnull=True).count() == 1
    assert ProcessorNotice.objects.filter(kind="restriction").count() == 2  # Trafft and Brevo


def test_rg_12_d_lifting_a_restriction_is_not_passed_on(client, admin_client, person):
    submit_and_verify(client, kind="restriction")
    restriction = Restriction.objects.get()

    admin_client.post(
        f"/admin/rights/restriction/{restriction.pk}/lift/", {"reason": "Accuracy confirmed."}
    )

    restriction.refresh_from_db()
    assert restriction.lifted_at is not None
    assert ProcessorNotice.objects.filter(kind="restriction").count() == 2


# Waiting for staff, and retries ----------------------------------------------------------------


def test_rg_12_e_a_processor_without_an_api_waits_for_staff_who_mark_it_done(
    client, admin_client, person, run_tasks, monkeypatch
):
    # Trafft's real connector, without its API v2 credentials: staff correct the customer.
    monkeypatch.setitem(
        connectors.CONNECTORS[connectors.RECTIFICATION], "trafft", trafft.rectify_customer
    )
    _rectify(client, admin_client, name=NEW_NAME, phone=NEW_PHONE)
    run_tasks()

    job = ProcessorNotice.objects.get(kind="rectification", processor="trafft")
    assert job.status == ProcessorNotice.Status.MANUAL
    assert "Trafft's API is not configured" in job.last_error
    assert "Correct name, phone by hand in Trafft" in job.last_error
    # Staff see the job, its kind and what to do in the list, and the values on its page.
    listing = admin_client.get("/admin/rights/processornotice/?kind=rectification").text
    assert "Waiting for staff" in listing and "Rectification" in listing
    assert "TRAFFT_CLIENT_ID" in listing
    page = admin_client.get(f"/admin/rights/processornotice/{job.pk}/change/").text
    assert NEW_NAME in page and OLD_PHONE in page

    admin_client.post(
        "/admin/rights/processornotice/",
        {"action": "mark_done_by_hand", "_selected_action": [job.pk]},
    )

    job.refresh_from_db()
    assert job.status == ProcessorNotice.Status.DONE
    assert job.completed_by == "admin"
    assert (job.identifiers, job.changes, job.last_error) == ({}, {}, "")
    assert AuditEntry.objects.filter(
        actor="admin", reason="rectification passed on to trafft"
    ).exists()


def test_rg_12_f_a_failing_connector_is_retried_with_backoff_and_succeeds_later(
    client, person, run_tasks, monkeypatch
):
    flaky = FakeConnector(failures=2)
    monkeypatch.setitem(connectors.CONNECTORS[connectors.RESTRICTION], "email_provider", flaky)
    start = timezone.now()
    submit_and_verify(client, kind="restriction")

    run_tasks()
    job = ProcessorNotice.objects.get(kind="restriction", processor="email_provider")
    assert (job.status, job.attempts) == (ProcessorNotice.Status.PENDING, 1)
    assert "Fake outage" in job.last_error
    assert job.next_attempt_at >= start + datetime.timedelta(minutes=1)
    assert job.identifiers["emails"] == [EMAIL]

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        run_tasks()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ProcessorNotice.Status.PENDING, 2)
    assert job.next_attempt_at >= start + datetime.timedelta(minutes=2 + 2)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        run_tasks()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error) == (ProcessorNotice.Status.DONE, 3, "")
    assert len(flaky.calls) == 3
    assert job.identifiers == {}


def test_rg_12_f_staff_can_try_a_waiting_job_again(
    client, admin_client, person, run_tasks, monkeypatch
):
    monkeypatch.setitem(
        connectors.CONNECTORS[connectors.RESTRICTION], "email_provider", FakeConnector(manual=True)
    )
    submit_and_verify(client, kind="restriction")
    run_tasks()
    job = ProcessorNotice.objects.get(kind="restriction", processor="email_provider")
    assert job.status == ProcessorNotice.Status.MANUAL

    # The connector is configured now: staff try again from the back office.
    working = FakeConnector()
    monkeypatch.setitem(connectors.CONNECTORS[connectors.RESTRICTION], "email_provider", working)
    admin_client.post(
        "/admin/rights/processornotice/",
        {"action": "retry_now", "_selected_action": [job.pk]},
    )
    run_tasks()

    job.refresh_from_db()
    assert job.status == ProcessorNotice.Status.DONE
    assert [t.emails for t in working.calls] == [(EMAIL,)]


def test_rg_12_g_an_erasure_supersedes_corrections_still_waiting_and_clears_them(
    client, admin_client, person, run_tasks, monkeypatch
):
    monkeypatch.setitem(
        connectors.CONNECTORS[connectors.RECTIFICATION], "trafft", trafft.rectify_customer
    )
    _rectify(client, admin_client, name=NEW_NAME)
    run_tasks()
    waiting = ProcessorNotice.objects.get(kind="rectification", processor="trafft")
    assert waiting.status == ProcessorNotice.Status.MANUAL

    erase_subject(subject=person, actor="admin", reason="test")

    waiting.refresh_from_db()
    assert waiting.status == ProcessorNotice.Status.DONE
    assert waiting.completed_by == SUPERSEDED_BY_ERASURE
    assert (waiting.identifiers, waiting.changes) == ({}, {})
    assert ProcessorNotice.objects.filter(kind="erasure", processor="trafft").exists()


def test_rg_12_g_erasure_is_still_passed_on_as_before(person, fake_connectors, run_tasks):
    report = erase_subject(subject=person, actor="admin", reason="test")
    run_tasks()

    assert report.passed_on_to == ["Trafft", "Brevo"]
    assert set(_notices("erasure")) == {"trafft", "email_provider"}
    assert fake_connectors["trafft"].calls[0].booking_ids == ("appt-8812",)
    assert not ProcessorNotice.objects.exclude(kind="erasure").exists()


# The real connectors ----------------------------------------------------------------------------


@pytest.fixture
def brevo(db, settings, tmp_path):
    # send() reaches Brevo only with its agreement on record (DEC-07, PT-02).
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    put_on_record("email_provider")
    fake = FakeProcessor()
    settings.BREVO_API_KEY = "brevo-key"
    settings.BREVO_API_URL = fake.url
    yield fake
    fake.stop()


def test_rg_12_h_brevo_corrects_the_contact_found_by_its_old_address(brevo):
    email_provider.rectify_contact(
        ProcessorTarget(emails=("kari+test@klinikk.example",)),
        {"name": "Kari Nordmann-Berg", "phone": "+4799988777"},
    )

    [call] = brevo.calls
    assert call["method"] == "PUT"
    assert call["path"] == "/contacts/kari%2Btest%40klinikk.example"
    assert call["headers"]["api-key"] == "brevo-key"
    assert json.loads(call["body"]) == {
        "attributes": {"FIRSTNAME": "Kari", "LASTNAME": "Nordmann-Berg", "SMS": "+4799988777"}
    }


def test_rg_12_h_brevo_leaves_values_without_a_standard_attribute_to_staff(brevo):
    with pytest.raises(ManualStepNeeded, match="no standard attribute for company, role"):
        email_provider.rectify_contact(
            ProcessorTarget(emails=("kari@klinikk.example",)),
            {"name": "Kari", "company": "Berg Tannklinikk", "role": "Daglig leder"},
        )

    # The name was corrected through the API all the same; the rest waits for staff.
    [call] = brevo.calls
    assert json.loads(call["body"]) == {"attributes": {"FIRSTNAME": "Kari", "LASTNAME": ""}}


def test_rg_12_h_brevo_blocklists_the_contact_for_a_restriction(brevo):
    email_provider.restrict_contact(ProcessorTarget(emails=("kari@klinikk.example",)))

    [call] = brevo.calls
    assert (call["method"], call["path"]) == ("PUT", "/contacts/kari%40klinikk.example")
    assert json.loads(call["body"]) == {"emailBlacklisted": True, "smsBlacklisted": True}


def test_rg_12_h_a_contact_brevo_does_not_hold_needs_no_correction(brevo):
    brevo.answers = [(404, {"code": "document_not_found"})]

    email_provider.rectify_contact(ProcessorTarget(emails=("a@b.example",)), {"name": "A B"})


@pytest.mark.parametrize(
    ("connector", "instruction"),
    [
        (lambda t: email_provider.rectify_contact(t, {"name": "A B"}), "Correct name by hand"),
        (email_provider.restrict_contact, "Blocklist for email and SMS"),
        (lambda t: trafft.rectify_customer(t, {"phone": "+4799988777"}), "Correct phone by hand"),
        (trafft.restrict_customer, "Restricted (GDPR Art. 18)"),
        (lambda t: calcom.rectify_attendee(t, {"name": "A B"}), "Correct name by hand"),
        (calcom.restrict_attendee, "Restricted (GDPR Art. 18)"),
    ],
)
def test_rg_12_i_without_an_api_staff_are_told_what_to_change_and_where(
    settings, connector, instruction
):
    settings.BREVO_API_KEY = ""
    target = ProcessorTarget(emails=("a@b.example",), booking_ids=("1",))

    with pytest.raises(ManualStepNeeded, match=re.escape(instruction)) as step:
        connector(target)

    assert "a@b.example" not in str(step.value)  # the values stay in the job, not the message


# The person is told who the recipients are ------------------------------------------------------


def _download(client, request, format):
    page = client.get(f"/privacy-requests/{request.public_id}/").content.decode()
    link = re.search(rf'href="([^"]+report\.{format}\?t=[^"]+)"', page).group(1)
    return client.get(link.replace("&amp;", "&"))


def test_rg_12_j_the_access_report_names_the_processors_the_data_was_disclosed_to(client, person):
    request = submit_and_verify(client, consent_id=CONSENT_ID, analytics_client_id=CLIENT_ID)

    data = _download(client, request, "json").json()
    names = [r["name"] for r in data["disclosed_to"]]
    assert names == ["Trafft", "Brevo", "Google Analytics 4"]
    assert data["disclosed_to"][0] == {
        "name": "Trafft",
        "role": "processor",
        "countries": ["RS"],
        "transfer_safeguard": "scc",
    }

    response = _download(client, request, "csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r[4] for r in rows if r[0] == "disclosed_to" and r[3] == "name"] == names

    page = client.get(f"/privacy-requests/{request.public_id}/report/").content.decode()
    section = page[page.index("Who has received your data") :]
    assert "Trafft (processor, RS, scc)" in section and "Brevo" in section


def test_rg_12_j_a_processor_that_never_received_the_data_is_not_named(client):
    request = submit_and_verify(client, email="ola@klinikk.example")

    data = _download(client, request, "json").json()

    # Her only record is the request, which the email provider receives to answer it.
    assert [r["name"] for r in data["disclosed_to"]] == ["Brevo"]


# The migration ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rg_12_k_the_migration_keeps_every_erasure_job():
    before, after = [("rights", "0001_initial")], [("rights", "0002_processor_notice")]
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("rights", "ProcessorErasure")
        old.objects.create(
            processor="trafft",
            identifiers={"emails": [EMAIL]},
            status="manual",
            attempts=1,
            last_error="No relay: delete by hand.",
        )

        executor = MigrationExecutor(connection)
        executor.migrate(after)

        new = executor.loader.project_state(after).apps.get_model("rights", "ProcessorNotice")
        [job] = new.objects.all()
    finally:
        # Back to the latest schema, so the tests after this one find every migration applied.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert (job.processor, job.kind, job.status, job.attempts) == ("trafft", "erasure", "manual", 1)
    assert job.identifiers == {"emails": [EMAIL]} and job.changes == {}
    assert job.last_error == "No relay: delete by hand."
