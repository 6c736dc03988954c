"""Recording meetings booked through a booking provider, from its webhooks or from our own
booking page, with the person's booking lead (policy §3b; LEA-03, LEA-07)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from declaration.selectors import get_declaration
from leads import selectors
from leads.models import Lead, Meeting, ReplacedBooking
from leads.services import notify_staff, record_two_way_contact
from subjects.models import Subject
from subjects.services import get_or_create_subject


def record_booking(
    *,
    provider: str,
    status: str,
    booking_id: str,
    previous_booking_id: str = "",
    name: str,
    email: str,
    phone: str = "",
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    occurred_at: datetime.datetime,
    language: str = "",
    booked_here: bool = False,
) -> Meeting:
    """Create or update the meeting and its lead from a booking provider's event, or from a
    booking made on our own page (`booked_here`, leads.booking); notify staff.

    Idempotent: the meeting is found by the provider's booking id (or, for a reschedule, the id it
    replaces), so a repeated event changes nothing new, and an event older than the last one
    applied is ignored. A booking is two-way contact: it moves "last contact" (LEA-05).
    A booking made on our page and the provider's webhook for it may know the booking by different
    ids (Trafft's webhook carries none of its own): a meeting booked on our page and an event of
    the same person at the same start with the same provider are the same meeting, whichever
    comes first, and the id the webhooks use is kept; it is marked booked here in either order.
    """
    status = Meeting.Status(status)
    with transaction.atomic():
        # The person's row first, locked until the end (a new one by its insert), as every change
        # to a person's records takes it: two events of one booking, or a booking on our page and
        # the provider's webhook for it, arriving at once then run one after the other, and the
        # second finds the meeting the first made. Else both found none: a 500 on the unique
        # booking id, or two meetings for one booking.
        subject, _new = get_or_create_subject(email=email, phone=phone, lock=True)
        meeting = selectors.find_meeting(
            provider=provider, booking_ids=[booking_id, previous_booking_id]
        )
        if meeting is None:
            replaced = selectors.meeting_that_replaced(provider=provider, booking_id=booking_id)
            if replaced is not None:
                # An event of the booking a reschedule replaced, arriving late: the meeting has
                # moved on, and a second meeting at the old time would be a ghost.
                return replaced
        matched_by_time = False
        if meeting is None and starts_at is not None:
            # Only a meeting booked on our page is matched so: two bookings a provider's
            # webhooks announce are two meetings, even at the same time.
            meeting = selectors.find_meeting_at(
                provider=provider,
                email=email,
                starts_at=starts_at,
                booked_here_only=not booked_here,
            )
            matched_by_time = meeting is not None
            if matched_by_time and booked_here:
                # The provider's webhook came first: the meeting keeps the id its webhooks use,
                # and is what it is, a meeting booked on our page.
                booking_id = meeting.provider_booking_id
                meeting.booked_here = True
        if meeting is not None and meeting.last_event_at and occurred_at < meeting.last_event_at:
            return meeting
        if (
            meeting is not None
            and status == Meeting.Status.BOOKED
            and meeting.status == Meeting.Status.CANCELLED
            and meeting.starts_at == starts_at
        ):
            # The booking of a slot already cancelled is older news arriving late (Trafft sends
            # no time to order by): it must not reopen the meeting.
            return meeting
        if meeting is None:
            lead = _booking_lead(
                subject=subject,
                name=name,
                email=email,
                phone=phone,
                provider=provider,
                language=language,
            )
            meeting = Meeting(
                lead=lead, subject=subject, provider=provider, booked_here=booked_here
            )
        else:
            lead = meeting.lead
            if name.strip() and name.strip() != lead.name:
                lead.name = name.strip()
                lead.save(update_fields=["name"])
        unchanged = (
            meeting.pk is not None
            and meeting.status == status
            and (matched_by_time or meeting.provider_booking_id == booking_id)
            and meeting.starts_at == (starts_at or meeting.starts_at)
            and meeting.ends_at == (ends_at or meeting.ends_at)
        )
        meeting.provider_booking_id = booking_id
        meeting.status = status
        meeting.starts_at = starts_at or meeting.starts_at
        meeting.ends_at = ends_at or meeting.ends_at
        meeting.last_event_at = occurred_at
        meeting.save()
        if previous_booking_id and previous_booking_id != booking_id:
            ReplacedBooking.objects.get_or_create(
                provider=provider, booking_id=previous_booking_id, defaults={"meeting": meeting}
            )
        record_two_way_contact(subject=meeting.subject, at=timezone.now())
        if not unchanged:
            notify_staff(lead=lead, meeting=meeting)
    return meeting


def _booking_lead(
    *, subject: Subject, name: str, email: str, phone: str, provider: str, language: str
) -> Lead:
    """The person's booking lead, updated with what the provider sent, or a new one.

    A booking made on the provider's own page, with no lead from our forms, is still collected
    from the person (GDPR Art. 13, not 14): the provider is our processor, collecting on our
    behalf what the person types in, so the lead has no `source_kind` and no Art. 14 notice
    (docs/other-sources.md). Its Art. 13 information is the link to our policy that the booking
    page must show (docs/booking-webhooks.md).
    """
    lead = selectors.latest_booking_lead(subject=subject)
    if lead is not None:
        lead.name = name.strip() or lead.name
        lead.phone = phone.strip() or lead.phone
        lead.save(update_fields=["name", "phone"])
        return lead
    activity = selectors.activity_of(Lead.Kind.BOOKING)
    return Lead.objects.create(
        subject=subject,
        kind=Lead.Kind.BOOKING,
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        purpose=activity.key,
        legal_basis=activity.legal_basis,
        source=provider,
        policy_version=get_declaration().current.version,
        language=language or settings.LANGUAGE_CODE,
    )
