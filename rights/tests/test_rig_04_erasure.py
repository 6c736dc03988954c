"""RIG-04: erasure removes or anonymises every record, says what was kept and why, is passed on to
each processor (retried until done), and stays done after a database backup is restored."""

import datetime
import io
import json
import os
import uuid

import pytest
import time_machine
from django.core import serializers
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from consent.models import ConsentDecision
from leads.models import Lead, Meeting
from leads.tests.factories import make_lead
from mail.models import OutgoingEmail
from newsletter.models import Subscription, Suppression
from rights.deadlines import add_months
from rights.models import ProcessorNotice, Request
from rights.services import carry_out_erasure, erase_subject, open_request
from rights.tests.factories import CONSENT_ID, EMAIL, submit_and_verify
from subjects.models import Subject
from subjects.selectors import find_subjects

pytestmark = pytest.mark.django_db

CLIENT_ID = "1234567.1700000000"


def _erase_through_portal(client, admin_client, **overrides) -> Request:
    request = submit_and_verify(
        client, kind="erasure", consent_id=CONSENT_ID, analytics_client_id=CLIENT_ID, **overrides
    )
    assert request.status == Request.Status.OPEN  # staff review before anything is erased
    response = admin_client.post(
        "/admin/rights/request/",
        {"action": "carry_out_erasure", "_selected_action": [request.pk]},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    return request


def test_rig_04_erasure_removes_every_record_of_the_person(client, admin_client, person):
    request = _erase_through_portal(client, admin_client)

    assert not find_subjects(email=EMAIL).exists()
    assert not find_subjects(phone="+47 912 34 567").exists()
    assert not Lead.objects.exists()
    assert not Meeting.objects.exists()
    assert not Subscription.objects.exists()
    assert not OutgoingEmail.objects.filter(subject__isnull=False).exists()
    # The consent decisions she gave as hers are gone; another browser's stay.
    assert not ConsentDecision.objects.filter(consent_id=CONSENT_ID).exists()
    assert ConsentDecision.objects.count() == 1
    assert request.status == Request.Status.COMPLETED
    erased = request.erasure_report["erased"]
    assert erased["leads.Lead"] == 2 and erased["leads.Meeting"] == 1
    assert erased["newsletter.Subscription"] == 1
    assert erased["consent.ConsentDecision"] == 1
    assert AuditEntry.objects.filter(action="erase", object_type="subjects.Subject").exists()


def test_rig_04_erasure_keeps_the_request_record_without_contact_details(
    client, admin_client, person
):
    request = _erase_through_portal(client, admin_client, details="Please forget me")

    assert request.email == "" and request.details == "" and request.consent_ids == []
    assert request.subject.email is None and request.subject.phone == ""
    [kept] = [k for k in request.erasure_report["kept"] if k["label"] == "rights.Request"]
    assert kept["law"] == "GDPR Art. 5(2), 17(3)(e)"
    # 36 months after the request was closed (retention rule `request_record`).
    assert kept["kept_until"] == add_months(timezone.localdate(), 36).isoformat()


def test_rig_04_erasure_keeps_accounting_records(person):
    from clinics.models import PrimaryAccountingRecord

    invoice = PrimaryAccountingRecord.objects.create(
        subject=person,
        reference="INV-2026-0042",
        document_date=datetime.date(2026, 3, 1),
        accounting_year_end=datetime.date(2026, 12, 31),
    )

    report = erase_subject(subject=person, actor="admin", reason="test")

    invoice.refresh_from_db()
    assert invoice.reference == "INV-2026-0042"
    [kept] = [k for k in report.kept if k.label == "clinics.PrimaryAccountingRecord"]
    assert kept.count == 1
    assert kept.law == "bokføringsloven § 13"
    assert "5 years" in kept.reason
    assert kept.kept_until == "2032-01-01"  # 5 years from the end of the accounting year
    # Everything else is gone, and the kept record points at a subject that holds nothing.
    assert not Lead.objects.exists()
    subject = Subject.objects.get(pk=person.pk)
    assert subject.email is None and subject.phone == ""


def test_rig_04_erasure_keeps_the_proof_that_the_person_was_told_of_a_breach(person):
    from breaches.models import Breach, BreachNotice
    from breaches.services import add_affected_subjects, send_breach_notices
    from breaches.tests.factories import make_breach

    breach = make_breach(risk=Breach.Risk.HIGH, risk_reasoning="Contact details were exposed.")
    add_affected_subjects(breach=breach, subjects=[person])
    assert send_breach_notices(breach_id=breach.pk, actor="privacy-officer") == 1
    notice = BreachNotice.objects.get()

    report = erase_subject(subject=person, actor="admin", reason="test")

    notice.refresh_from_db()
    assert (notice.breach, notice.subject_id) == (breach, person.pk)
    # The copy of the email, which holds the address, is erased; the notice no longer points at it.
    assert notice.email is None
    assert not OutgoingEmail.objects.filter(purpose="breach_notices").exists()
    [kept] = [k for k in report.kept if k.label == "breaches.BreachNotice"]
    assert (kept.count, kept.law) == (1, "GDPR Art. 33(5), 34")
    assert "told you of a personal data breach" in kept.reason
    assert kept.kept_until[:4] == str(timezone.localtime(notice.queued_at).year + 5)
    subject = Subject.objects.get(pk=person.pk)
    assert subject.email is None and subject.phone == ""
    assert list(breach.affected_subjects.all()) == [subject]
    assert not Lead.objects.exists()


def test_rig_04_erasing_a_person_affected_by_a_breach_keeps_the_breach_in_the_register(person):
    from breaches.models import Breach
    from breaches.services import add_affected_subjects
    from breaches.tests.factories import make_breach

    breach = make_breach()
    add_affected_subjects(breach=breach, subjects=[person])

    report = erase_subject(subject=person, actor="admin", reason="test")

    breach = Breach.objects.get(pk=breach.pk)
    assert breach.what_happened.startswith("A list of 40 leads")
    assert list(breach.affected_subjects.values_list("email", flat=True)) == [None]
    [kept] = [k for k in report.kept if k.label == "breaches.Breach"]
    assert (kept.count, kept.law) == (1, "GDPR Art. 33(5)")


def test_rig_04_the_person_is_told_what_was_erased_and_kept(
    client, admin_client, person, smtp_server, run_tasks
):
    _erase_through_portal(client, admin_client)
    run_tasks()

    [message] = [m for m in smtp_server.to(EMAIL) if "erased" in m["Subject"]]
    body = message.get_content()
    assert "leads.Lead: 2" in body
    assert "rights.Request" in body and "17(3)(e)" in body
    assert "Trafft" in body and "Google Analytics 4" in body and "Brevo" in body


def test_rig_04_erasure_is_passed_on_to_each_processor_that_received_the_data(
    client, admin_client, person, fake_connectors, run_tasks
):
    _erase_through_portal(client, admin_client)

    jobs = {job.processor: job for job in ProcessorNotice.objects.all()}
    assert set(jobs) == {"trafft", "email_provider", "google_analytics"}
    run_tasks()

    [trafft] = fake_connectors["trafft"].calls
    assert trafft.booking_ids == ("appt-8812",) and trafft.emails == (EMAIL,)
    assert fake_connectors["email_provider"].calls[0].emails == (EMAIL,)
    assert fake_connectors["google_analytics"].calls[0].client_ids == (CLIENT_ID,)
    assert fake_connectors["calcom"].calls == []  # it never received her data
    for job in ProcessorNotice.objects.all():
        assert job.status == ProcessorNotice.Status.DONE
        assert job.identifiers == {}  # what the processor knew her by is not kept
    assert AuditEntry.objects.filter(object_type="rights.ProcessorNotice").count() == 3


def test_rig_04_a_failing_processor_is_retried_with_backoff_until_done(
    person, fake_connectors, run_tasks, monkeypatch
):
    from processors import connectors
    from processors.fake import FakeConnector

    flaky = FakeConnector(failures=2)
    monkeypatch.setitem(connectors.CONNECTORS[connectors.ERASURE], "trafft", flaky)
    start = timezone.now()
    erase_subject(subject=person, actor="admin", reason="test")

    run_tasks()
    job = ProcessorNotice.objects.get(processor="trafft")
    assert job.status == ProcessorNotice.Status.PENDING
    assert job.attempts == 1
    assert "Fake outage" in job.last_error
    assert job.next_attempt_at >= start + datetime.timedelta(minutes=1)
    assert job.identifiers["booking_ids"] == ["appt-8812"]

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        run_tasks()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ProcessorNotice.Status.PENDING, 2)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        run_tasks()
    job.refresh_from_db()
    assert job.status == ProcessorNotice.Status.DONE
    assert job.attempts == 3
    assert job.last_error == ""
    assert len(flaky.calls) == 3


def test_rig_04_a_processor_without_an_api_waits_for_staff_who_mark_it_done(
    person, run_tasks, monkeypatch, admin_client
):
    from processors import connectors
    from processors.fake import FakeConnector

    monkeypatch.setitem(
        connectors.CONNECTORS[connectors.ERASURE], "trafft", FakeConnector(manual=True)
    )
    erase_subject(subject=person, actor="admin", reason="test")
    run_tasks()
    job = ProcessorNotice.objects.get(processor="trafft")
    assert job.status == ProcessorNotice.Status.MANUAL
    listing = admin_client.get("/admin/rights/processornotice/").content.decode()
    assert "erase by hand" in listing

    admin_client.post(
        "/admin/rights/processornotice/",
        {"action": "mark_done_by_hand", "_selected_action": [job.pk]},
    )

    job.refresh_from_db()
    assert job.status == ProcessorNotice.Status.DONE
    assert job.completed_by == "admin"


def test_rig_04_the_ledger_holds_no_readable_personal_data(person, ledger_path):
    erase_subject(subject=person, actor="admin", reason="test")

    text = ledger_path.read_text()
    [line] = text.splitlines()
    entry = json.loads(line)
    assert entry["event"] == "erasure"
    assert len(entry["digests"]) == 2  # the address and the phone number, each keyed-hashed
    for secret in (EMAIL, "kari", "klinikk", "91234567", "Nordmann"):
        assert secret not in text.lower()


def test_rig_04_erasure_stays_done_after_a_backup_is_restored(person, ledger_path):
    lead = Lead.objects.filter(subject=person).first()
    backup = serializers.serialize(
        "json",
        [person, *Lead.objects.filter(subject=person), *Meeting.objects.filter(subject=person)],
    )
    erase_subject(subject=person, actor="admin", reason="test")
    assert not Lead.objects.exists()

    # "Restore the backup": the rows come back as they were, ids and times included.
    for restored in serializers.deserialize("json", backup):
        restored.save()
    assert Lead.objects.filter(pk=lead.pk).exists()
    call_command("reapply_erasure_ledger", stdout=(out := io.StringIO()))

    assert not Lead.objects.exists()
    assert not Meeting.objects.exists()
    assert not find_subjects(email=EMAIL).exists()
    assert "1 subject(s) erased again" in out.getvalue()
    assert AuditEntry.objects.filter(actor="system:reapply_erasure_ledger").exists()


def test_rig_04_a_person_who_came_back_after_erasure_is_not_erased_by_the_replay(person):
    erase_subject(subject=person, actor="admin", reason="test")

    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        make_lead(email=EMAIL, name="Kari Nordmann")
        call_command("reapply_erasure_ledger", stdout=io.StringIO())

    assert Lead.objects.filter(email=EMAIL).count() == 1


def test_rig_04_the_replay_recognises_entries_made_under_a_rotated_secret_key(person, settings):
    backup = serializers.serialize("json", [person])
    erase_subject(subject=person, actor="admin", reason="test")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-" + uuid.uuid4().hex

    for restored in serializers.deserialize("json", backup):
        restored.save()
    call_command("reapply_erasure_ledger", stdout=io.StringIO())

    assert not find_subjects(email=EMAIL).exists()


def test_rig_04_a_damaged_ledger_line_is_skipped_not_fatal(person, ledger_path):
    backup = serializers.serialize("json", [person])
    erase_subject(subject=person, actor="admin", reason="test")
    with ledger_path.open("a") as ledger:
        ledger.write('{"event": "erasure", "at": "not a time"}\n{"event": "erasure", "at": \n')
    for restored in serializers.deserialize("json", backup):
        restored.save()

    call_command("reapply_erasure_ledger", stdout=io.StringIO())

    assert not find_subjects(email=EMAIL).exists()


def test_rig_04_a_child_report_queues_an_erasure_with_a_short_deadline(person, staff_addresses):
    request = open_request(kind="erasure", email=EMAIL, received_via="child_report", due_in_days=3)

    assert request.status == Request.Status.OPEN
    assert request.subject == person
    assert timezone.localtime(request.due_at).date() == timezone.localdate() + datetime.timedelta(
        days=3
    )
    assert not OutgoingEmail.objects.filter(to_address=EMAIL, purpose="privacy_requests").exists()
    assert OutgoingEmail.objects.filter(to_address="privacy@wekst.test").exists()

    carry_out_erasure(request_id=request.pk, actor="admin")

    assert not Lead.objects.exists()
    assert not OutgoingEmail.objects.filter(to_address=EMAIL).exists()


def test_rig_04_only_an_open_verified_erasure_request_can_be_carried_out(client):
    from django.core.exceptions import ValidationError

    client.post("/privacy-requests/", {"kind": "erasure", "email": EMAIL})
    unverified = Request.objects.get()

    with pytest.raises(ValidationError):
        carry_out_erasure(request_id=unverified.pk, actor="admin")
    with pytest.raises(ValidationError):
        carry_out_erasure(request_id=999_999, actor="admin")


def test_rig_04_an_objection_survives_a_restore_through_the_ledger(client, person):
    submit_and_verify(client, kind="objection")
    assert Suppression.objects.count() == 1

    Suppression.objects.all().delete()  # a backup from before the objection is restored
    call_command("reapply_erasure_ledger", stdout=io.StringIO())

    assert Suppression.objects.get().reason == Suppression.Reason.OBJECTED


def test_rig_04_an_unwritable_ledger_fails_the_system_check(settings, tmp_path):
    from rights.checks import check_erasure_ledger

    assert check_erasure_ledger() == []
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    settings.WEKST_ERASURE_LEDGER_PATH = locked / "ledger.jsonl"

    errors = check_erasure_ledger()

    if os.geteuid() == 0:  # root writes anywhere; a file in place of the directory still fails
        settings.WEKST_ERASURE_LEDGER_PATH = tmp_path
        errors = check_erasure_ledger()
    assert [e.id for e in errors] == ["rights.E001"]
