"""Loads every demo builder in order; safe to run again (each builder skips what exists)."""

from django.db import transaction
from django.utils import timezone

from wekst.demo import assessments, people, registers


def load_demo_records() -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        registers.load_clinics(today)
        people.load_leads(now)
        people.load_subscribers()
        people.load_comments(now)
        people.load_requests()
        registers.load_breach(now)
        registers.load_processor_notices()
        registers.load_consent(now)
        registers.load_disclosure(today)
        assessments.load_assessments(today)
    # The sweep runs its own transactions, batch by batch.
    registers.load_sweep()
