"""Trying a notice to a processor again, or marking it done by hand, tells staff what was done
and what was left as it was, and why; only what changed is in the audit log as changed
(SEC-04; RG-12)."""

import pytest
from django.contrib.messages import get_messages

from audit.models import AuditEntry
from rights.models import ProcessorNotice
from rights.services import processor_notices

pytestmark = pytest.mark.django_db
NOTICES = "/admin/rights/processornotice/"


def _notice(processor: str, status: str) -> ProcessorNotice:
    return ProcessorNotice.objects.create(
        processor=processor,
        kind=ProcessorNotice.Kind.ERASURE,
        status=status,
        identifiers={"emails": ["kari@example.no"]},
    )


def _act(client, action: str, *notices: ProcessorNotice) -> list[tuple[str, str]]:
    answer = client.post(
        NOTICES, {"action": action, "index": "0", "_selected_action": [n.pk for n in notices]}
    )
    assert answer.status_code == 302
    shown = client.get(answer["Location"])  # the list shows, and so uses up, the messages
    return [(m.level_tag, m.message) for m in get_messages(shown.wsgi_request)]


def _audited_as_changed(action: str) -> set[str]:
    return set(
        AuditEntry.objects.filter(action="change", reason=f"action: {action}").values_list(
            "object_id", flat=True
        )
    )


def test_sec_04_marking_done_by_hand_names_what_was_done_already(admin_client):
    waiting = _notice("trafft", ProcessorNotice.Status.MANUAL)
    done = _notice("email_provider", ProcessorNotice.Status.DONE)

    said = _act(admin_client, "mark_done_by_hand", waiting, done)

    assert said == [
        ("success", "1 notice(s) marked as done."),
        (
            "warning",
            "1 notice(s) left as they were, being done already or gone: Brevo (Erasure).",
        ),
    ]
    waiting.refresh_from_db()
    assert waiting.status == ProcessorNotice.Status.DONE
    assert _audited_as_changed("mark_done_by_hand") == {str(waiting.pk)}


def test_sec_04_trying_a_done_notice_again_claims_nothing_and_logs_no_change(admin_client):
    done = _notice("email_provider", ProcessorNotice.Status.DONE)

    said = _act(admin_client, "retry_now", done)

    assert said == [
        (
            "warning",
            "1 notice(s) left as they were, being done already or gone: Brevo (Erasure).",
        )
    ]
    done.refresh_from_db()
    assert done.status == ProcessorNotice.Status.DONE
    assert _audited_as_changed("retry_now") == set()


def test_sec_04_a_waiting_notice_is_queued_again_and_said_so(admin_client):
    waiting = _notice("trafft", ProcessorNotice.Status.MANUAL)

    assert _act(admin_client, "retry_now", waiting) == [("success", "1 notice(s) queued again.")]
    waiting.refresh_from_db()
    assert waiting.status == ProcessorNotice.Status.PENDING
    assert _audited_as_changed("retry_now") == {str(waiting.pk)}


def test_sec_04_the_services_say_whether_they_acted():
    done = _notice("email_provider", ProcessorNotice.Status.DONE)
    waiting = _notice("trafft", ProcessorNotice.Status.MANUAL)
    assert processor_notices.retry_processor_notice(job_id=done.pk, actor="admin") is False
    assert processor_notices.mark_processor_notice_done(job_id=done.pk, actor="admin") is False
    assert processor_notices.mark_processor_notice_done(job_id=waiting.pk, actor="admin") is True
    assert processor_notices.retry_processor_notice(job_id=0, actor="admin") is False
