"""Lifting legal holds tells staff how many were lifted and how many were lifted already; a hold
lifted already is not logged as changed again (SEC-04; Art. 17(3)(e))."""

import pytest
from django.contrib.messages import get_messages

from audit.models import AuditEntry
from retention import services
from retention.models import LegalHold
from subjects.services import find_or_create_subject

pytestmark = pytest.mark.django_db
HOLDS = "/admin/retention/legalhold/"


def _lift(client, *holds: LegalHold) -> list[tuple[str, str]]:
    answer = client.post(
        HOLDS, {"action": "lift", "index": "0", "_selected_action": [h.pk for h in holds]}
    )
    assert answer.status_code == 302
    shown = client.get(answer["Location"])  # the list shows, and so uses up, the messages
    return [(m.level_tag, m.message) for m in get_messages(shown.wsgi_request)]


def _changes() -> int:
    return AuditEntry.objects.filter(action="change", object_type="retention.LegalHold").count()


def test_sec_04_lifting_says_how_many_were_lifted_and_how_many_were_already(
    admin_client, admin_user
):
    kari = find_or_create_subject(email="kari@example.no")
    ola = find_or_create_subject(email="ola@example.no")
    first = services.place_legal_hold(subject=kari, reason="Court case", user=admin_user)
    second = services.place_legal_hold(subject=ola, reason="Court case", user=admin_user)

    assert _lift(admin_client, first) == [("success", "1 legal hold(s) lifted.")]
    after_first = _changes()
    assert _lift(admin_client, first, second) == [
        ("success", "1 legal hold(s) lifted."),
        ("warning", "1 legal hold(s) were already lifted."),
    ]
    assert _changes() == after_first + 2  # the service's entry and the action's, for the second

    before = _changes()
    assert _lift(admin_client, first) == [("warning", "1 legal hold(s) were already lifted.")]
    assert _changes() == before
    first.refresh_from_db()
    assert first.lifted_at is not None
