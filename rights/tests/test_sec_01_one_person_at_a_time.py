"""Two steps about one person at the same moment both succeed, one after the other, instead of
each holding what the other needs until the database breaks the deadlock (SEC-01; the lock
order of rights.services.steps._locked): two staff each carrying out one of the person's two
erasure requests, an erasure and a refusal or extension of another request of theirs, an
erasure while the person verifies a request in the portal.

Each step runs in a thread with a database connection of its own, as two web requests do. The
erasure is held after it has locked what it locks and before it writes anything, until the
other step waits for a lock: then the overlap is certain, not lucky. PostgreSQL only: on
SQLite one write lock serialises every transaction as it begins.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from leads.models import Lead
from leads.services import tell_staff
from leads.tests.factories import make_lead
from rights.models import Request
from rights.services import deadlines, erasure, refusals
from rights.services.opening import open_request, verify_request
from rights.tests.factories import EMAIL, link_token_sent_to
from subjects.models import Subject
from wekst.testing import until_a_lock_is_awaited

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs connections of their own to one database"
    ),
    pytest.mark.django_db(transaction=True),
]


class Step(threading.Thread):
    """A service call in a thread with its own connection; what it raised is kept."""

    def __init__(self, call: Callable[[], object]) -> None:
        super().__init__()
        self.call, self.error = call, None

    def run(self) -> None:
        try:
            self.call()
        except Exception as error:  # the test reports it
            self.error = error
        finally:
            connections.close_all()


def erase_alongside(monkeypatch, erasure_request: Request, other: Callable[[], object]) -> None:
    """Carry out the erasure request; once it holds its locks, run `other`; let the erasure go
    on once `other` waits for a lock (or has finished). Both must succeed."""
    held, go_on = threading.Event(), threading.Event()
    find_targets = erasure.processor_targets

    def held_here(*args, **kwargs):
        held.set()
        go_on.wait(timeout=30)
        return find_targets(*args, **kwargs)

    monkeypatch.setattr(erasure, "processor_targets", held_here)
    staff = Step(lambda: erasure.carry_out_erasure(request_id=erasure_request.pk, actor="po-1"))
    staff.start()
    assert held.wait(timeout=30)
    second = Step(other)
    second.start()
    until_a_lock_is_awaited(alongside=second)
    go_on.set()
    staff.join(timeout=60)
    second.join(timeout=60)
    assert (staff.error, second.error) == (None, None)


def staff_request(kind: str) -> Request:
    return open_request(
        kind=kind, email=EMAIL, received_via="email", identity_check="called back", actor="po"
    )


def test_sec_01_two_staff_carrying_out_two_erasure_requests_of_one_person_both_complete(
    monkeypatch,
):
    make_lead(email=EMAIL)
    first, second = staff_request("erasure"), staff_request("erasure")

    erase_alongside(
        monkeypatch,
        first,
        lambda: erasure.carry_out_erasure(request_id=second.pk, actor="po-2"),
    )

    statuses = Request.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    assert set(statuses) == {Request.Status.COMPLETED}
    assert not Subject.objects.filter(email=EMAIL).exists()


@pytest.mark.parametrize("step", ["refuse", "extend"])
def test_sec_01_an_erasure_and_a_step_on_another_request_of_the_person_both_succeed(
    monkeypatch, step
):
    make_lead(email=EMAIL)
    to_erase, other = staff_request("erasure"), staff_request("rectification")
    calls = {
        "refuse": lambda: refusals.refuse_request(
            request_id=other.pk, actor="po-2", reason="Asked daily.", ground="excessive"
        ),
        "extend": lambda: deadlines.extend_request(
            request_id=other.pk, months=1, reason="Many records.", actor="po-2"
        ),
    }

    erase_alongside(monkeypatch, to_erase, calls[step])

    assert Request.objects.get(pk=to_erase.pk).status == Request.Status.COMPLETED
    other.refresh_from_db()
    assert (other.email, other.status != Request.Status.OPEN) == ("", step == "refuse")
    assert not Subject.objects.filter(email=EMAIL).exists()


def test_sec_01_an_erasure_while_the_person_verifies_another_request_both_succeed(monkeypatch):
    make_lead(email=EMAIL)
    to_erase = staff_request("erasure")
    portal = open_request(kind="access", email=EMAIL, received_via="portal", language="en")
    token = link_token_sent_to(EMAIL)

    erase_alongside(monkeypatch, to_erase, lambda: verify_request(token=token))

    assert Request.objects.get(pk=to_erase.pk).status == Request.Status.COMPLETED
    portal.refresh_from_db()
    # Verified after the erasure: the person is known anew, from this request only.
    assert portal.status == Request.Status.COMPLETED
    assert portal.subject.email == EMAIL
    assert portal.subject.leads.count() == 0


def test_sec_01_an_erasure_while_the_worker_tells_staff_of_the_persons_lead_both_succeed(
    monkeypatch, settings
):
    # The task held the lead, then waited for the person's row to queue the staff email; the
    # erasure held the person and waited for the lead: a deadlock (found 8 Dec 2026).
    settings.WEKST_STAFF_EMAILS = ["privacy@wekst.test"]
    lead = make_lead(email=EMAIL)
    to_erase = staff_request("erasure")

    erase_alongside(monkeypatch, to_erase, lambda: tell_staff(lead_id=lead.pk))

    assert Request.objects.get(pk=to_erase.pk).status == Request.Status.COMPLETED
    assert not Lead.objects.filter(pk=lead.pk).exists()
