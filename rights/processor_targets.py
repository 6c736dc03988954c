"""Which processors received a person's data, and what each knows them by (GDPR Art. 19): the
recipients an erasure, rectification or restriction is passed on to (rights.services,
retention.passing_on) and the ones the person is told of on request."""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.db.models import QuerySet

from declaration.selectors import get_declaration
from processors.connectors import ProcessorTarget
from processors.integration import ACTIVITIES, BOOKINGS, CLIENT_IDS, integrations
from rights.selectors import activities_of_records, is_uuid
from subjects.models import Subject


def identifiers_in_requests(records: dict[str, QuerySet]) -> tuple[list[str], set[str]]:
    """(cookie consent ids, Google Analytics client ids) the person gave with their requests."""
    requests = records.get("rights.Request")
    consent_ids: set[str] = set()
    client_ids: set[str] = set()
    if requests is not None:
        for consents, clients in requests.values_list("consent_ids", "analytics_client_ids"):
            consent_ids.update(str(v) for v in consents or ())
            client_ids.update(str(v) for v in clients or ())
    return [str(uuid.UUID(value)) for value in consent_ids if is_uuid(value)], client_ids


def processor_targets(
    subject: Subject, records: dict[str, QuerySet], *, client_ids: set[str]
) -> dict[str, ProcessorTarget]:
    """Each processor that received the person's data, with what it knows them by: the
    recipients an erasure, rectification or restriction is passed on to, and the ones the person
    is told of on request (Art. 19).

    Each provider's integration record (processors/integration.py) says how data reached it and
    what it knows the person by: a booking provider, through the meetings booked there; the email
    provider, through any record of an activity the declaration says it receives data for; Google
    Analytics, through the client ids the person gave with a request (none given, none found).
    """
    declaration = get_declaration()
    known: dict[str, tuple[str, ...]] = {
        "emails": (subject.email,) if subject.email else (),
        "phones": (subject.phone,) if subject.phone else (),
        "client_ids": tuple(sorted(client_ids)),
    }
    booked: dict[str, list[str]] = defaultdict(list)
    meetings = records.get("leads.Meeting")
    if meetings is not None:
        for provider, booking_id in meetings.values_list("provider", "provider_booking_id"):
            booked[provider].append(booking_id)
    served = {
        recipient
        for key in activities_of_records(records)
        if key in declaration.activities
        for recipient in declaration.activities[key].recipients
    }

    reached = {
        BOOKINGS: lambda key: key in booked,
        ACTIVITIES: lambda key: key in served,
        CLIENT_IDS: lambda key: True,
    }
    targets = {}
    for integration in integrations().values():
        if integration.key not in declaration.recipients:
            continue
        if not reached[integration.received_through](integration.key):
            continue
        known["booking_ids"] = tuple(sorted(booked.get(integration.key, ())))
        target = ProcessorTarget(**{name: known[name] for name in integration.known_by})
        # Nothing to tell a processor that knows the person by nothing we hold (no address, no
        # client id given): it cannot find them.
        if any(target.as_dict().values()):
            targets[integration.key] = target
    # Booking providers first, in the order the meetings were booked, then the others.
    order = {key: position for position, key in enumerate(booked)}
    return dict(sorted(targets.items(), key=lambda item: order.get(item[0], len(order))))
