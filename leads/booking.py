"""Booking a growth meeting on our own page through a booking provider's API (policy §3b).

The leads app owns the interface; a provider module in the processors app implements it and
registers itself when Django is ready (processors.trafft_booking, through processors.apps), so
leads never imports a provider. Our server alone speaks to the provider: the visitor's browser
sees only our pages, before and after booking (issue 20, item 2; DEC-07).

Without a configured provider, or when it fails, the page asks for a meeting that staff confirm
(leads.views.growth_meeting): the visitor's input is never lost.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from leads.models import Lead, Meeting


class BookingUnavailable(Exception):
    """The provider cannot be asked or did not book, for a reason other than the time being taken
    (not reachable, an error, an answer we do not understand): the request goes to staff."""


class SlotTaken(Exception):
    """The chosen time was taken meanwhile: the visitor picks another."""


@dataclass(frozen=True)
class Slot:
    """One free time, as the visitor chooses it. `key` names it in the form; `employee` is whom
    the provider books it with (empty when the provider's setting decides)."""

    starts_at: datetime.datetime
    employee: str = ""

    @property
    def key(self) -> str:
        return f"{self.starts_at.isoformat()}|{self.employee}"

    @classmethod
    def from_key(cls, key: str) -> Slot | None:
        """The slot a form posted, or None for anything that is not one (an aware time)."""
        moment, _, employee = str(key).partition("|")
        try:
            starts_at = datetime.datetime.fromisoformat(moment)
        except ValueError:
            return None
        if starts_at.tzinfo is None or len(employee) > 64:
            return None
        return cls(starts_at=starts_at, employee=employee)


@dataclass(frozen=True)
class Booked:
    """A booking the provider accepted: its id there and the time booked."""

    booking_id: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None = None


class BookingProvider(Protocol):
    key: str  # the provider's key, as leads.Meeting.provider names it

    def is_configured(self) -> bool: ...

    def free_slots(self) -> list[Slot]:
        """Upcoming free times, soonest first; BookingUnavailable when they cannot be had."""

    def book(self, *, slot: Slot, name: str, email: str, phone: str) -> Booked:
        """Create (or find) the customer and book `slot`; SlotTaken or BookingUnavailable."""


_providers: list[BookingProvider] = []


def register_booking_provider(provider: BookingProvider) -> None:
    """Called by the processors app when it is ready; the first configured provider is used."""
    if provider not in _providers:
        _providers.append(provider)


def booking_provider() -> BookingProvider | None:
    """The provider the page books through, or None: the page then asks for a meeting."""
    return next((p for p in _providers if p.is_configured()), None)


def book_growth_meeting(
    *,
    provider: BookingProvider,
    slot: Slot,
    name: str,
    email: str,
    phone: str,
    company: str,
    message: str,
    language: str,
) -> Meeting:
    """Book `slot` at the provider for the person, then store the meeting and its lead as the
    provider's webhook would (leads.meetings.record_booking), so that the webhook for the same
    booking, arriving before or after, updates this record rather than adding one (LEA-03).

    The provider is called outside any transaction (it may take seconds); SlotTaken and
    BookingUnavailable pass to the caller, which keeps the visitor's input.
    """
    from leads.meetings import record_booking

    booked = provider.book(slot=slot, name=name, email=email, phone=phone)
    with transaction.atomic():
        meeting = record_booking(
            provider=provider.key,
            status=Meeting.Status.BOOKED,
            booking_id=booked.booking_id,
            name=name,
            email=email,
            phone=phone,
            starts_at=booked.starts_at,
            ends_at=booked.ends_at,
            occurred_at=timezone.now(),
            language=language,
            booked_here=True,
        )
        lead = meeting.lead
        # What the person told us besides what the provider holds: their clinic and the topic.
        changed = {"company": company.strip(), "message": message.strip()}
        changed = {k: v for k, v in changed.items() if v and getattr(lead, k) != v}
        if changed:
            Lead.objects.filter(pk=lead.pk).update(**changed)
    return meeting
