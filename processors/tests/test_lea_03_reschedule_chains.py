"""One Cal.com booking rescheduled twice, its events delivered in any order (LEA-03).

Cal.com queues and retries its deliveries (../shared/providers.md), so the events of one booking
arrive in any order. A reschedule names only the booking it replaces (`uid` the new booking,
`rescheduleUid` the old one): the second reschedule, arriving before the first, names an id not
seen yet. It made a second meeting; the first reschedule then moved the first meeting to a time no
longer booked: two meetings for one booking, staff told of both, the last time they heard of
wrong. Bodies: processors/fake.py `calcom_body`, in the shape of calcom/cal.com
docs/developing/guides/automation/webhooks.mdx and packages/features/webhooks/lib/sendPayload.ts,
signed as Cal.com signs them, through the HTTP endpoint.
"""

import datetime
import itertools

import pytest
import time_machine
from django.utils import formats, timezone

from audit.models import AuditEntry
from leads.models import Lead, Meeting
from mail.models import OutgoingEmail
from processors.fake import Booking, FakeBookingProvider
from processors.models import WebhookDelivery
from processors.tests.conftest import SECRETS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("booking_providers_on_record")]

STAFF = "sales@wekst.test"
CREATED, FIRST, SECOND, CANCELLED = "created", "rescheduled 1", "rescheduled 2", "cancelled"


class Chain:
    """One booking at Cal.com, in the order it happened there, a minute apart from `start`:
    booked as Q, rescheduled to P (replacing Q), rescheduled to B (replacing P), B cancelled."""

    def __init__(self, start: datetime.datetime):
        self.start = start
        day = datetime.timedelta(days=1)
        self.q = Booking(starts_at=start + 3 * day)
        self.p = Booking(starts_at=start + 4 * day)
        self.b = Booking(starts_at=start + 5 * day)
        self.events = {
            CREATED: ("booked", self.q, {}),
            FIRST: ("rescheduled", self.p, {"previous_booking_id": self.q.booking_id}),
            SECOND: ("rescheduled", self.b, {"previous_booking_id": self.p.booking_id}),
            CANCELLED: ("cancelled", self.b, {}),
        }

    def sent_at(self, event: str) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=list(self.events).index(event))


@pytest.fixture
def calcom(settings, client):
    settings.CALCOM_WEBHOOK_SECRET = SECRETS["calcom"]
    settings.WEKST_STAFF_EMAILS = [STAFF]
    return FakeBookingProvider("calcom", SECRETS["calcom"], client)


@pytest.fixture
def chain():
    return Chain(timezone.now().replace(microsecond=0))


def deliver(calcom, chain: Chain, order, *, after_each=None) -> None:
    """Deliver the chain's events in `order`, all after the last was made (Cal.com's retries)."""
    for arrival, event in enumerate(order):
        status, booking, options = chain.events[event]
        at = chain.start + datetime.timedelta(minutes=10, seconds=arrival)
        with time_machine.travel(at):
            response = calcom.deliver(status, booking, sent_at=chain.sent_at(event), **options)
            assert response.status_code == 200, response.content
            assert response.json() == {"status": "applied"}
            if after_each:
                after_each()


def staff_emails() -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(to_address=STAFF).order_by("pk"))


def tells(email: OutgoingEmail, booking: Booking, status: str) -> bool:
    """The email tells of the meeting as `booking`, in `status`."""
    when = formats.date_format(timezone.localtime(booking.starts_at), "l j F Y H:i")
    return all(
        line in email.body_text
        for line in (f"Booking: {booking.booking_id}", f"Status: {status}", f"Starts: {when}")
    )


def assert_one_meeting(chain: Chain, order) -> Meeting:
    """One meeting, at the latest booking's time and id, in the latest state, every replaced id
    recorded, one booking lead, every delivery applied once."""
    final = "cancelled" if CANCELLED in order else "rescheduled"
    meeting = Meeting.objects.get()
    assert meeting.provider_booking_id == chain.b.booking_id
    assert (meeting.starts_at, meeting.ends_at) == (chain.b.starts_at, chain.b.ends_at)
    assert meeting.status == final
    assert meeting.last_event_at == max(chain.sent_at(event) for event in order)
    assert sorted(meeting.replaced.values_list("booking_id", flat=True)) == sorted(
        [chain.q.booking_id, chain.p.booking_id]
    )
    assert Lead.objects.filter(kind=Lead.Kind.BOOKING).count() == 1
    assert WebhookDelivery.objects.filter(outcome="applied").count() == len(order)
    return meeting


ORDERS = [
    *itertools.permutations([CREATED, FIRST, SECOND]),
    *itertools.permutations([CREATED, FIRST, SECOND, CANCELLED]),
]


def order_id(order) -> str:
    return ", ".join(order)


@pytest.mark.parametrize("order", ORDERS, ids=order_id)
def test_lea_03_a_chain_of_reschedules_in_any_order_is_one_meeting_staff_last_hear_right(
    calcom, chain, run_tasks, order
):
    # The worker keeps up: staff are told of each change as it is applied.
    deliver(calcom, chain, order, after_each=run_tasks)

    meeting = assert_one_meeting(chain, order)
    # Whatever staff heard on the way, the last they hear is the meeting as it now is.
    assert tells(staff_emails()[-1], chain.b, meeting.get_status_display())


@pytest.mark.parametrize("order", ORDERS, ids=order_id)
def test_lea_03_a_chain_of_reschedules_in_any_order_is_told_to_staff_once(
    calcom, chain, run_tasks, order
):
    # The worker comes to the changes after they have all arrived: one email, of the outcome,
    # and none of a meeting folded away meanwhile.
    deliver(calcom, chain, order)
    run_tasks()

    meeting = assert_one_meeting(chain, order)
    [email] = staff_emails()
    assert tells(email, chain.b, meeting.get_status_display())


def test_lea_03_the_meeting_a_late_reschedule_shows_to_be_the_same_is_folded_with_its_trail(
    calcom, chain, run_tasks
):
    deliver(calcom, chain, [CREATED], after_each=run_tasks)
    first = Meeting.objects.get()
    deliver(calcom, chain, [SECOND], after_each=run_tasks)
    second = Meeting.objects.exclude(pk=first.pk).get()  # P is unknown yet: a meeting of its own

    deliver(calcom, chain, [FIRST], after_each=run_tasks)

    # The first meeting made is kept (its public id is the one staff and the person saw first),
    # with the latest state; the other is folded into it and gone, its ids kept as replaced.
    meeting = assert_one_meeting(chain, [CREATED, FIRST, SECOND])
    assert meeting.public_id == first.public_id
    assert not Meeting.objects.filter(pk=second.pk).exists()
    [entry] = AuditEntry.objects.filter(object_type="leads.Meeting", object_id=str(second.pk))
    assert (entry.action, entry.subject_ref) == ("change", str(meeting.subject.public_id))
    assert f"meeting {meeting.pk}" in entry.reason
