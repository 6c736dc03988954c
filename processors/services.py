"""Applying verified webhook deliveries exactly once (LEA-03)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from leads.services import record_booking
from processors.models import WebhookDelivery

if TYPE_CHECKING:
    from processors.base import BookingEvent

DUPLICATE = "duplicate"


def receive_booking_delivery(
    *,
    provider: str,
    delivery_id: str,
    event: BookingEvent | None,
    sent_at: datetime.datetime,
) -> str:
    """Apply one verified delivery; returns its outcome ("applied", "ignored" or "duplicate").

    The delivery id is recorded in the same transaction as the change it causes: a delivery seen
    before is acknowledged but not applied twice, and a delivery whose change failed is not
    recorded, so the provider's retry is applied (GDPR Art. 32(1)(b): integrity).
    """
    outcome = WebhookDelivery.Outcome.IGNORED if event is None else WebhookDelivery.Outcome.APPLIED
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookDelivery.objects.create(
                    provider=provider, delivery_id=delivery_id, outcome=outcome
                )
        except IntegrityError:
            return DUPLICATE
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
