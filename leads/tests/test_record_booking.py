"""Meetings from booking events: created or updated idempotently, with their lead (LEA-03)."""

import datetime

import pytest
from django.utils import timezone

from leads.meetings import record_booking
from leads.models import Lead, Meeting
from leads.tests.factories import make_lead
from mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)


def book(status="booked", booking_id="bk-1", starts_at=START, occurred_at=None, **changes):
    values = {
        "provider": "trafft",
        "status": status,
        "booking_id": booking_id,
        "name": "Kari Nordmann",
        "email": "kari@klinikk.example",
        "phone": "912 34 567",
        "starts_at": starts_at,
        "ends_at": starts_at + datetime.timedelta(minutes=30),
        "occurred_at": occurred_at or timezone.now(),
    }
    values.update(changes)
    return record_booking(**values)


def test_lea_03_a_booking_creates_a_meeting_and_a_lead_for_the_meetings_purpose(run_tasks):
    meeting = book()
    run_tasks()

    assert meeting.status == Meeting.Status.BOOKED
    assert meeting.starts_at == START
    lead = meeting.lead
    assert lead.kind == Lead.Kind.BOOKING
    assert (lead.purpose, lead.legal_basis, lead.source) == ("meetings", "contract", "trafft")
    assert lead.subject == meeting.subject
    assert lead.subject.phone == "+4791234567"
    assert OutgoingEmail.objects.filter(purpose="meetings", subject=lead.subject).exists()


def test_lea_03_the_same_event_twice_changes_nothing_and_notifies_once(run_tasks):
    first = book()
    run_tasks()
    again = book()
    run_tasks()

    assert again.pk == first.pk
    assert Meeting.objects.count() == 1
    assert Lead.objects.count() == 1
    assert OutgoingEmail.objects.count() == 1


def test_lea_03_reschedule_and_cancel_update_the_same_meeting(run_tasks):
    book()
    run_tasks()
    moved = START + datetime.timedelta(days=1)
    rescheduled = book("rescheduled", starts_at=moved)
    run_tasks()
    cancelled = book("cancelled", starts_at=moved)
    run_tasks()

    assert rescheduled.pk == cancelled.pk
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.starts_at == moved
    assert OutgoingEmail.objects.count() == 3


def test_lea_03_changes_the_worker_comes_to_at_once_are_told_in_one_email_of_the_latest(
    run_tasks,
):
    book()
    book("cancelled", occurred_at=timezone.now() + datetime.timedelta(seconds=1))
    run_tasks()

    [email] = OutgoingEmail.objects.all()
    assert "cancel" in (email.subject_line + email.body_text).lower()


def test_lea_03_a_notification_task_run_again_tells_no_one_twice(run_tasks):
    """A worker killed after the notification committed but before the task was marked done:
    recover_stuck_tasks runs the task again (docs/benchmarks.md, failure tests)."""
    from leads.services import tell_staff

    meeting = book()
    run_tasks()
    lead = make_lead()

    assert tell_staff(lead_id=meeting.lead_id, meeting_id=meeting.pk) == 0
    assert tell_staff(lead_id=lead.pk) == 1
    assert tell_staff(lead_id=lead.pk) == 0
    assert OutgoingEmail.objects.count() == 2


def test_lea_03_a_lead_erased_before_the_worker_came_to_it_is_told_to_no_one(run_tasks):
    meeting = book()
    meeting.subject.delete()
    run_tasks()

    assert not OutgoingEmail.objects.exists()


def test_lea_03_a_reschedule_under_a_new_booking_id_follows_the_old_one():
    book(booking_id="old")
    book("rescheduled", booking_id="new", previous_booking_id="old")

    meeting = Meeting.objects.get()
    assert meeting.provider_booking_id == "new"
    assert meeting.status == Meeting.Status.RESCHEDULED
    book("cancelled", booking_id="new")
    assert Meeting.objects.get().status == Meeting.Status.CANCELLED


def test_lea_03_an_event_older_than_the_last_applied_is_ignored():
    now = timezone.now()
    book("cancelled", occurred_at=now)
    book("booked", occurred_at=now - datetime.timedelta(minutes=2))
    assert Meeting.objects.get().status == Meeting.Status.CANCELLED


def test_lea_03_booking_ids_are_unique_per_provider_only():
    book(provider="trafft", booking_id="123")
    book(provider="calcom", booking_id="123")
    assert Meeting.objects.count() == 2


def test_a_later_booking_by_the_same_person_updates_their_booking_lead():
    book(booking_id="one")
    book(booking_id="two", name="Kari N. Nordmann")

    lead = Lead.objects.get()
    assert lead.meetings.count() == 2
    assert lead.name == "Kari N. Nordmann"


def test_a_booking_does_not_turn_an_enquiry_into_a_booking_lead():
    enquiry = make_lead(email="kari@klinikk.example")
    meeting = book()
    assert meeting.lead != enquiry
    assert meeting.subject == enquiry.subject


# A booking on our page and Trafft's webhook for it, applied in one order but stamped in the
# other: they run one after the other (the person's lock), but each took its time before waiting,
# so the one applied second may be the older (processors/tests/test_lea_03_deliveries_at_once.py
# failed so, now and then). Its state is older news; which id the webhooks use, and that it was
# booked here, are not.


def test_lea_07_a_booking_here_applied_after_a_newer_webhook_is_still_marked_booked_here():
    now = timezone.now()
    book(booking_id="trafft-key", occurred_at=now)  # the webhook, which knows no id of ours
    book(booking_id="9000", booked_here=True, occurred_at=now - datetime.timedelta(seconds=1))

    meeting = Meeting.objects.get()
    assert (meeting.provider_booking_id, meeting.booked_here) == ("trafft-key", True)


def test_lea_07_a_webhook_applied_after_a_newer_booking_here_still_gives_its_id():
    now = timezone.now()
    book(booking_id="9000", booked_here=True, occurred_at=now)
    book(booking_id="trafft-key", occurred_at=now - datetime.timedelta(seconds=1))

    meeting = Meeting.objects.get()
    assert (meeting.provider_booking_id, meeting.booked_here) == ("trafft-key", True)
    # So the webhooks that follow find it, not a time of their own.
    book("cancelled", booking_id="trafft-key", occurred_at=now + datetime.timedelta(seconds=1))
    assert Meeting.objects.get().status == Meeting.Status.CANCELLED
