"""A person seen for the first time is stored with their lead and its staff notification by ONE
statement in autocommit on PostgreSQL (leads.services._first_enquiry, wekst.rows.chain; issue
23): the same rows as the transaction path stores, field by field; anyone already known, and a
submission that loses the race for a new address, take the transaction path as before; a
statement that fails stores nothing."""

import datetime
import threading
import time

import pytest
import time_machine
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clinics.tests.factories import make_clinic
from leads import services
from leads.models import Lead
from leads.tests.factories import contact_form_data
from newsletter.models import Subscription
from subjects.models import Subject
from wekst import rows
from wekst.budgets import statements

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="one statement for a new person is PostgreSQL's (data-modifying WITH); SQLite keeps "
    "the transaction path, which the other lead tests prove",
)

ENQUIRY = {
    "kind": Lead.Kind.CONTACT,
    "name": " Kari Nordmann ",
    "phone": "912 34 567",
    "company": "Nordmann Tannklinikk",
    "role": "Clinic manager",
    "message": "Hello\nthere ",
    "source": "contact_form",
    "language": "nb",
    "marketing_consent": True,
    "marketing_consent_wording": "Yes, send me the newsletter",
}


def _transaction_path(monkeypatch, **enquiry):
    with monkeypatch.context() as patched:
        patched.setattr(services, "_first_enquiry", lambda **kwargs: None)
        return services.submit_enquiry(**enquiry)


def _one_statement(**enquiry):
    with CaptureQueriesContext(connection) as queries:
        lead, created = services.submit_enquiry(**enquiry)
    # The newsletter sign-up, in its own transaction, comes after the statement.
    [sent] = statements(queries.captured_queries)[:1]
    assert sent.startswith("WITH ")
    assert created
    return lead


def _stored(model, pk, *own) -> dict:
    return {k: v for k, v in model.objects.filter(pk=pk).values().get().items() if k not in own}


@pytest.mark.django_db
@pytest.mark.parametrize("for_clinic", [False, True], ids=["wekst", "clinic"])
def test_sec_05_a_new_person_in_one_statement_is_stored_as_the_transaction_path_stores_them(
    monkeypatch, for_clinic
):
    clinic = make_clinic() if for_clinic else None
    before, created = _transaction_path(
        monkeypatch, email=" Ola@Klinikk.example", clinic=clinic, **ENQUIRY
    )
    assert created
    with CaptureQueriesContext(connection) as queries:
        lead = _one_statement(email=" Kari@Klinikk.example", clinic=clinic, **ENQUIRY)
    if for_clinic:  # a clinic's enquiry starts no marketing: nothing but the one statement
        assert len(statements(queries.captured_queries)) == 1

    # The subject: everything but its own ids, time and the address.
    own = ("id", "public_id", "created_at", "email")
    assert _stored(Subject, lead.subject_id, *own) == _stored(Subject, before.subject_id, *own)
    subject = Subject.objects.get(pk=lead.subject_id)
    assert subject.email == "kari@klinikk.example"
    assert subject.public_id != before.subject.public_id
    assert subject.created_at <= timezone.now()
    # The lead: the same, but its own ids, times, subject and address.
    own = ("id", "public_id", "created_at", "last_contact_at", "subject_id", "email")
    assert _stored(Lead, lead.pk, *own) == _stored(Lead, before.pk, *own)
    stored = Lead.objects.get(pk=lead.pk)
    assert stored.email == "Kari@Klinikk.example"
    assert stored.clinic_id == (clinic.pk if clinic else None)
    assert stored.staff_notified_at is None
    assert stored.last_contact_at <= timezone.now()
    assert stored.created_at <= timezone.now()
    # The task: the same, but its id, time and the lead it tells of.
    told = DBTaskResult.objects.filter(task_path="leads.tasks.tell_staff")
    tasks = {t.args_kwargs["args"][0]: t for t in told}
    assert set(tasks) == {lead.pk, before.pk}
    own = ("id", "enqueued_at", "args_kwargs")
    assert _stored(DBTaskResult, tasks[lead.pk].pk, *own) == _stored(
        DBTaskResult, tasks[before.pk].pk, *own
    )
    assert tasks[lead.pk].args_kwargs == {"args": [lead.pk, None], "kwargs": {}}
    assert tasks[before.pk].args_kwargs == {"args": [before.pk, None], "kwargs": {}}
    # What the caller is given is the row stored.
    assert [getattr(lead, f.attname) for f in Lead._meta.concrete_fields] == [
        getattr(stored, f.attname) for f in Lead._meta.concrete_fields
    ]
    assert lead.subject.pk == subject.pk and lead.subject.public_id == subject.public_id
    # The ticked marketing choice started the sign-up after it (never for a clinic's lead).
    subscribed = Subscription.objects.filter(subject__email="kari@klinikk.example").exists()
    assert subscribed is not for_clinic


@pytest.mark.django_db
def test_sec_05_the_worker_tells_staff_of_a_lead_stored_in_one_statement(
    client, smtp_server, run_tasks, staff_inbox
):
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/contact/", contact_form_data(message="Please call me"))
    assert response.status_code == 302
    [stored] = [q for q in statements(queries.captured_queries) if "INSERT" in q]
    assert stored.startswith("WITH ")

    run_tasks()

    [queued] = DBTaskResult.objects.filter(task_path="leads.tasks.tell_staff")
    assert queued.status == "SUCCESSFUL"
    assert queued.return_value == len(staff_inbox) == 2
    assert Lead.objects.get().staff_notified_at is not None
    for address in staff_inbox:
        [told] = smtp_server.to(address)
        assert "Please call me" in told.get_content()


@pytest.mark.django_db
def test_sec_05_a_known_address_takes_the_transaction_path(monkeypatch):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    enquiry = {**ENQUIRY, "phone": "", "marketing_consent": False}
    with time_machine.travel(start, tick=False):
        first = _one_statement(email="kari@klinikk.example", **enquiry)

    # The same content again, typed differently: the duplicate check finds the first.
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        again, created = services.submit_enquiry(email="KARI@klinikk.example ", **enquiry)
    assert (again.pk, created) == (first.pk, False)

    # Something new, later: a lead of its own, "last contact" moved, the phone it lacked added.
    later = start + datetime.timedelta(days=30)
    with time_machine.travel(later, tick=False):
        second, created = services.submit_enquiry(
            email="kari@klinikk.example", **{**enquiry, "message": "Again", "phone": "91234567"}
        )
    assert created
    assert second.subject_id == first.subject_id
    first.refresh_from_db()
    assert first.last_contact_at == later
    assert Subject.objects.get().phone == "+4791234567"
    assert Lead.objects.count() == DBTaskResult.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("message", ["Hello", "Something else"], ids=["same", "different"])
def test_sec_05_two_submissions_for_the_same_new_address_make_one_subject(message):
    """The first's statement has stored, not committed (held open in a transaction); the second's
    waits on the address's unique index, finds it taken, and takes the transaction path."""
    stored = threading.Event()
    results, order = {}, []
    enquiry = {**ENQUIRY, "marketing_consent": False}

    def first():
        try:
            with transaction.atomic():
                results["first"] = services.submit_enquiry(
                    email="ny@klinikk.example", **{**enquiry, "message": "Hello"}
                )
                stored.set()
                time.sleep(0.5)
                order.append("first commits")
        finally:
            stored.set()
            connection.close()

    def second():
        try:
            stored.wait(5)
            results["second"] = services.submit_enquiry(
                email="NY@klinikk.example", **{**enquiry, "message": message}
            )
            order.append("second done")
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert order == ["first commits", "second done"]
    (one, one_created), (two, two_created) = results["first"], results["second"]
    assert Subject.objects.count() == 1
    assert one_created
    if message == "Hello":  # the duplicate check finds the first's lead
        assert (two.pk, two_created) == (one.pk, False)
        assert Lead.objects.count() == DBTaskResult.objects.count() == 1
    else:
        assert two_created and two.subject_id == one.subject_id
        assert Lead.objects.count() == DBTaskResult.objects.count() == 2


def _nothing_stored():
    return not (Subject.objects.exists() or Lead.objects.exists() or DBTaskResult.objects.exists())


@pytest.mark.django_db(transaction=True)
def test_sec_05_a_statement_that_fails_on_the_lead_leaves_no_subject():
    too_long = "x" * (Lead._meta.get_field("company").max_length + 1)

    with pytest.raises(DataError):
        services.submit_enquiry(email="kari@klinikk.example", **{**ENQUIRY, "company": too_long})

    assert _nothing_stored()


@pytest.mark.django_db(transaction=True)
def test_sec_05_a_statement_that_fails_on_the_task_leaves_no_lead(client, monkeypatch):
    real = rows.task_row
    too_long = "x" * (DBTaskResult._meta.get_field("backend_name").max_length + 1)
    monkeypatch.setattr(
        rows, "task_row", lambda task, args: {**real(task, args), "backend_name": too_long}
    )
    client.raise_request_exception = False

    response = client.post("/contact/", contact_form_data())

    assert response.status_code == 500
    assert _nothing_stored()
    # Nothing was half done: the same submission, once the fault is gone, is stored whole.
    monkeypatch.undo()
    assert client.post("/contact/", contact_form_data()).status_code == 302
    assert Lead.objects.count() == DBTaskResult.objects.count() == Subject.objects.count() == 1
