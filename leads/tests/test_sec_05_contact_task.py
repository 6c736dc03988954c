"""The staff notification of a contact form's lead, queued with one INSERT (wekst.rows, issue
23), is run by the worker as one queued by task.enqueue, and is queued in the lead's own
transaction: it is rolled back with the lead. (A person seen for the first time on PostgreSQL is
stored with the task in one statement: leads/tests/test_sec_05_first_enquiry.py.)"""

import pytest
from django_tasks_db.models import DBTaskResult

from leads import services
from leads.models import Lead
from leads.tests.factories import contact_form_data
from subjects.models import Subject

pytestmark = pytest.mark.django_db


def test_sec_05_the_worker_tells_staff_of_a_lead_queued_with_one_insert(
    client, smtp_server, run_tasks, staff_inbox
):
    client.post("/contact/", contact_form_data(message="Please call me"))
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "leads.tasks.tell_staff"

    run_tasks()

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert queued.return_value == len(staff_inbox)
    assert Lead.objects.get().staff_notified_at is not None
    for address in staff_inbox:
        [told] = smtp_server.to(address)
        assert "Please call me" in told.get_content()


def test_sec_05_the_staff_notification_is_rolled_back_with_its_lead(client, monkeypatch):
    real = services._store_enquiry

    def queue_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        assert DBTaskResult.objects.count() == 1  # queued, in the lead's transaction
        raise RuntimeError("the transaction fails after the task was queued")

    monkeypatch.setattr(services, "_store_enquiry", queue_then_fail)
    client.raise_request_exception = False
    # A known address: its submissions take the transaction path on every database.
    data = contact_form_data()
    Subject.objects.create(email=data["email"])

    response = client.post("/contact/", data)

    assert response.status_code == 500
    assert not Lead.objects.exists()
    assert not DBTaskResult.objects.exists()
