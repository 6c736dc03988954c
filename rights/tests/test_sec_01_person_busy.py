"""A step the database gives up on because another change held what it needed (a deadlock it
broke, a lock wait it ended) is told to staff as a message, with nothing changed, never a 500
(SEC-01; rights.services.steps._one_step)."""

import pytest
from django.contrib.messages import get_messages
from django.db import OperationalError

from leads.models import Lead
from leads.tests.factories import make_lead
from rights.models import Request
from rights.services import erasure
from rights.services.opening import open_request
from rights.tests.factories import EMAIL

pytestmark = pytest.mark.django_db


class Deadlock(Exception):
    sqlstate = "40P01"  # as psycopg's DeadlockDetected carries it


def test_sec_01_an_erasure_the_database_gave_up_on_is_a_message_and_changes_nothing(
    admin_client, monkeypatch
):
    make_lead(email=EMAIL)
    request = open_request(
        kind="erasure", email=EMAIL, received_via="email", identity_check="called back", actor="po"
    )
    erase_records = erasure._erase_records

    def then_a_deadlock(*args, **kwargs):
        erase_records(*args, **kwargs)
        raise OperationalError("deadlock detected") from Deadlock()

    monkeypatch.setattr(erasure, "_erase_records", then_a_deadlock)

    response = admin_client.post(
        "/admin/rights/request/",
        {"action": "carry_out_erasure", "_selected_action": [request.pk]},
    )

    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Another change to this person was in progress; nothing was changed; try again." in (
        message
    )
    assert Request.objects.get(pk=request.pk).status == Request.Status.OPEN
    assert Lead.objects.filter(email=EMAIL).exists()


def test_sec_01_other_database_errors_are_not_taken_for_a_busy_person(monkeypatch):
    make_lead(email=EMAIL)
    request = open_request(
        kind="erasure", email=EMAIL, received_via="email", identity_check="called back", actor="po"
    )

    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(erasure, "_erase_records", broken)

    with pytest.raises(OperationalError):
        erasure.carry_out_erasure(request_id=request.pk, actor="po")
