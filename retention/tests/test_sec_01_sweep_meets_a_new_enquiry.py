"""The sweep of the subject index meets a person sending the contact form again at that moment:
the person's entry is kept with their new lead, and the sweep finishes (SEC-01; RET-01's
subject_without_records). After waiting for the row's lock, PostgreSQL re-checks only the row
itself, so the batch runs its "no record points here" test again before it deletes.

The enquiry runs in a thread with a database connection of its own, as a web request does, and
holds the person's row (as submit_enquiry's upsert does) until the sweep waits for it.
PostgreSQL only: on SQLite one write lock serialises every transaction as it begins.
"""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from leads.tests.factories import make_lead
from retention.models import SweepRun
from retention.services import run_sweep
from subjects.models import Subject
from wekst.testing import until_a_lock_is_awaited

EMAIL = "ola@klinikk.example"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs connections of their own to one database"
)
@pytest.mark.django_db(transaction=True)
def test_sec_01_the_sweep_keeps_a_person_who_sends_the_form_again_while_it_runs(settings, tmp_path):
    settings.WEKST_ERASURE_LEDGER_PATH = tmp_path / "ledger.jsonl"
    # Only the person's index entry is left, long past its rule: due for the sweep.
    Subject.objects.create(email=EMAIL)
    Subject.objects.filter(email=EMAIL).update(
        created_at=timezone.now() - datetime.timedelta(days=3650)
    )
    holding, go_on = threading.Event(), threading.Event()
    errors = []

    def enquiry() -> None:
        try:
            with transaction.atomic():
                Subject.objects.select_for_update().get(email=EMAIL)
                holding.set()
                go_on.wait(timeout=30)
                make_lead(email=EMAIL, message="Hello again")
        except Exception as error:  # the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    person = threading.Thread(target=enquiry)
    person.start()
    assert holding.wait(timeout=30)
    runs = []
    sweep = threading.Thread(
        target=lambda: (
            runs.append(run_sweep(trigger=SweepRun.Trigger.COMMAND)),
            connections.close_all(),
        )
    )
    sweep.start()
    until_a_lock_is_awaited(alongside=sweep)
    go_on.set()
    person.join(timeout=60)
    sweep.join(timeout=60)

    assert errors == []
    assert SweepRun.objects.get().status == SweepRun.Status.FINISHED
    assert Subject.objects.get(email=EMAIL).leads.count() == 1
