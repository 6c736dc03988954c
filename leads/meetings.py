"""Recording meetings booked through a booking provider, from its webhooks or from our own
booking page, with the person's booking lead (policy §3b; LEA-03, LEA-07)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import record_event
from declaration.selectors import get_declaration
from leads import selectors
from leads.models import Lead, Meeting, ReplacedBooking
from leads.services import notify_staff, record_two_way_contact
from subjects.models import Subject
from subjects.services import get_or_create_subject

# What a meeting folded into another gives it when its event was the newest (_fold).
NEWEST_STATE = ("provider_booking_id", "status", "starts_at", "ends_at", "last_event_at")
EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)


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
    In any order: whatever order the events of one booking and its reschedules arrive in
    (Cal.com queues and retries), it ends as one meeting, at the latest booking's id and time, in
    the state of the newest event, with every id it replaced recorded. A reschedule arriving
    before the one it follows names an id not seen yet and makes a meeting of its own; the event
    that links the two folds it into the first (_fold).
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
        meetings = selectors.meetings_of_booking(
            provider=provider, booking_ids=[booking_id, previous_booking_id]
        )
        folded = len(meetings) > 1
        meeting = _fold(meetings) if meetings else None
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
        if meeting is not None and _older_news(
            meeting, booking_id=booking_id, status=status, starts_at=starts_at, at=occurred_at
        ):
            # Its state changes nothing, but the id it replaced is a fact about the booking
            # whenever it arrives: without it, a later event of that id made a second meeting.
            _record_replaced(meeting, previous_booking_id)
            if matched_by_time:
                # Likewise which id the webhooks use and that it was booked here: a booking on our
                # page and its webhook arriving at once are applied in one order but may carry
                # their times in the other. Dropped with the older state, the meeting lost its mark,
                # or kept our id and the webhooks that follow, which know only theirs, made another.
                meeting.provider_booking_id = booking_id
                meeting.booked_here = True
                meeting.save(update_fields=["provider_booking_id", "booked_here", "updated_at"])
            if folded:
                notify_staff(lead=meeting.lead, meeting=meeting)
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
        _record_replaced(meeting, previous_booking_id)
        record_two_way_contact(subject=meeting.subject, at=timezone.now())
        if folded or not unchanged:
            notify_staff(lead=lead, meeting=meeting)
    return meeting


def _older_news(
    meeting: Meeting,
    *,
    booking_id: str,
    status: str,
    starts_at: datetime.datetime | None,
    at: datetime.datetime,
) -> bool:
    """True when an event must not change the meeting's state: it was sent before the last
    event applied; or it names a booking id a reschedule replaced (the meeting has moved on, and
    applying it would move the meeting back to a time no longer booked); or it books a slot the
    meeting was cancelled at (Trafft sends no time to order by: the booking arrived late and must
    not reopen it)."""
    if meeting.last_event_at and at < meeting.last_event_at:
        return True
    if (
        booking_id != meeting.provider_booking_id
        and meeting.replaced.filter(booking_id=booking_id).exists()
    ):
        return True
    return (
        status == Meeting.Status.BOOKED
        and meeting.status == Meeting.Status.CANCELLED
        and meeting.starts_at == starts_at
    )


def _record_replaced(meeting: Meeting, booking_id: str) -> None:
    """Keep `booking_id` as one the meeting had before a reschedule, unless it is its own now."""
    if booking_id and booking_id != meeting.provider_booking_id:
        ReplacedBooking.objects.get_or_create(
            provider=meeting.provider, booking_id=booking_id, defaults={"meeting": meeting}
        )


def _fold(meetings: list[Meeting]) -> Meeting:
    """One meeting of the meetings one event's booking ids lead to (first made first).

    Several are one booking whose events arrived out of order: a reschedule that came before the
    reschedule it followed named an id not yet seen and made a meeting of its own. The first
    made is kept, since its public id is the one shown first, and takes the state of the newest
    event any of them applied: the latest booking's id, time and status. The others are deleted,
    not kept beside it marked as folded: a second row of one booking would be counted, listed,
    reported to the person and passed on at erasure as a meeting of its own, unless every
    reader learned to skip it, and it would keep a copy of the person's data with no purpose
    (GDPR Art. 5(1)(c)). Nothing of its trail goes with it: the booking ids it held move to the
    kept meeting as replaced ids; an audit entry says which meeting it was folded into (the log
    holds references, so earlier entries about it keep theirs); its webhook deliveries stay
    recorded; its lead, the person's booking lead, is not touched. Staff who were told of a
    folded meeting are told of the kept one again, so the last they hear is the meeting as it is.
    """
    kept, *folded = meetings
    if not folded:
        return kept
    newest = max(meetings, key=lambda meeting: meeting.last_event_at or EARLIEST)
    held = {meeting.provider_booking_id for meeting in meetings} - {newest.provider_booking_id}
    state = {field: getattr(newest, field) for field in NEWEST_STATE}
    told = any(meeting.staff_notified_event_at is not None for meeting in folded)
    ReplacedBooking.objects.filter(meeting__in=folded).update(meeting=kept)
    for meeting in folded:
        folded_id, subject_ref = meeting.pk, meeting.subject.public_id
        meeting.delete()  # first: the kept meeting may take the booking id it held
        record_event(
            actor="system:booking_events",
            action="change",
            object_type="leads.Meeting",
            object_id=folded_id,
            subject_ref=subject_ref,
            reason=f"folded into meeting {kept.pk}: the same {kept.provider} booking, its "
            "reschedules delivered out of order; its booking ids are kept there as replaced",
        )
    for field, value in state.items():
        setattr(kept, field, value)
    kept.booked_here = any(meeting.booked_here for meeting in meetings)
    if told:
        kept.staff_notified_event_at = None
    kept.save()
    for booking_id in held:
        _record_replaced(kept, booking_id)
    return kept


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
