"""Test data for the breach register."""

import datetime

from django.utils import timezone

from breaches.models import Breach


def make_breach(**fields) -> Breach:
    values = {
        "title": "Lead list emailed to the wrong clinic",
        "became_aware_at": timezone.now(),
        "what_happened": "A list of 40 leads was emailed to another clinic by mistake.",
        "cause": Breach.Cause.MISDIRECTED,
        "confidentiality": True,
        "data_categories": "Names, email addresses and phone numbers of leads.",
        "subject_categories": "Leads (prospective clients).",
        "approx_subjects": 40,
        "approx_records": 40,
        "likely_consequences": "Unwanted contact from another clinic; possible phishing.",
        "measures_taken": "The other clinic confirmed in writing that it deleted the email.",
    }
    values.update(fields)
    breach = Breach(**values)
    breach.full_clean()
    breach.save()
    return breach


def hours(n: float) -> datetime.timedelta:
    return datetime.timedelta(hours=n)
