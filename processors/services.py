"""Applying verified webhook deliveries exactly once (LEA-03); keeping the processor register in
step with the declaration (PRO-01). The clinics' services are in clinics.services."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from declaration.selectors import get_declaration
from leads.meetings import record_booking
from leads.selectors import meeting_state
from processors.models import DataFlow, Recipient, WebhookDelivery

if TYPE_CHECKING:
    from processors.base import BookingEvent

DUPLICATE = "duplicate"


def receive_booking_delivery(
    *,
    provider: str,
    delivery_id: str,
    event: BookingEvent | None,
    sent_at: datetime.datetime,
    late: bool = False,
    known_by_state: bool = False,
) -> str:
    """Apply one verified delivery; returns its outcome ("applied", "ignored" or "duplicate").

    The delivery id is recorded in the same transaction as the change it causes: a delivery seen
    before is acknowledged but not applied twice, and a delivery whose change failed is not
    recorded, so the provider's retry is applied (GDPR Art. 32(1)(b): integrity).

    `known_by_state`: the provider sends no delivery id, so the id is the state the delivery
    reports (Trafft). That state seen before is a repeat only while the meeting is still in it;
    once the meeting has left it, the same state again is a change back (a no-show corrected,
    a meeting moved back to its first time), applied, not dropped as a duplicate.
    """
    outcome = WebhookDelivery.Outcome.IGNORED if event is None else WebhookDelivery.Outcome.APPLIED
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookDelivery.objects.create(
                    provider=provider, delivery_id=delivery_id, outcome=outcome, late=late
                )
        except IntegrityError:
            if not (known_by_state and event is not None and _a_change_back(provider, event)):
                return DUPLICATE
            WebhookDelivery.objects.filter(provider=provider, delivery_id=delivery_id).update(
                received_at=timezone.now(), outcome=outcome, late=late
            )
        if event is not None:
            record_booking(
                provider=provider,
                status=event.status,
                booking_id=event.booking_id,
                previous_booking_id=event.previous_booking_id,
                name=event.name,
                email=event.email,
                phone=event.phone,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                occurred_at=sent_at,
                language=event.language,
            )
    return str(outcome)


def _a_change_back(provider: str, event: BookingEvent) -> bool:
    """True when the meeting has left the state this delivery reports (known_by_state)."""
    state = meeting_state(provider=provider, booking_id=event.booking_id)
    if state is None:
        return False
    status, starts_at = state
    return (status, starts_at) != (event.status, event.starts_at or starts_at)


def sync_register() -> tuple[int, int]:
    """Copy every recipient of the declaration into the processor register, with its data flows.

    What the declaration says (name, role, service, data, countries, the safeguard the policy
    names, and one data flow per activity with the recipient's role in it) overwrites the
    register's copy; what is on record (agreements, safeguards, their documents) is never
    touched. A recipient removed from the declaration stays, marked undeclared, with its
    contracts. Returns (created, updated).
    """
    declaration = get_declaration()
    now = timezone.now()
    created = updated = 0
    with transaction.atomic():
        for declared in declaration.recipients.values():
            entry, is_new = Recipient.objects.update_or_create(
                key=declared.key,
                defaults={
                    "name": declared.name.en,
                    "legal_entity": declared.legal_entity.en,
                    "role": declared.role,
                    "service": declared.service.en,
                    "data_categories": list(declared.data_categories),
                    "countries": list(declared.countries),
                    "declared_safeguard": declared.transfer_safeguard or "",
                    "declared": True,
                    "synced_at": now,
                },
            )
            created, updated = created + is_new, updated + (not is_new)
            flows = [
                activity
                for activity in declaration.activities.values()
                if declared.key in activity.recipients
            ]
            entry.data_flows.exclude(activity__in=[a.key for a in flows]).delete()
            for activity in flows:
                DataFlow.objects.update_or_create(
                    recipient=entry,
                    activity=activity.key,
                    defaults={
                        "activity_name": activity.name.en,
                        "role": declared.role,
                        "data_categories": [
                            c for c in activity.data_categories if c in declared.data_categories
                        ],
                    },
                )
        Recipient.objects.exclude(key__in=declaration.recipients).update(declared=False)
    return created, updated
