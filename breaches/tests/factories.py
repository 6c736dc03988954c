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


def change_form_data(breach: Breach, **changes) -> dict:
    """What the breach's change page posts back for `breach` as it stood when the page was
    opened, plus `changes`."""
    data = {
        name: "" if getattr(breach, name) is None else getattr(breach, name)
        for name in (
            "title",
            "source",
            "what_happened",
            "cause",
            "data_categories",
            "subject_categories",
            "approx_subjects",
            "approx_records",
            "likely_consequences",
            "measures_taken",
            "risk",
            "risk_reasoning",
        )
    }
    aware = timezone.localtime(breach.became_aware_at)
    data |= {
        "became_aware_at_0": f"{aware:%Y-%m-%d}",
        "became_aware_at_1": f"{aware:%H:%M:%S}",
        "confidentiality": "on",
        "clinic": str(breach.clinic_id or ""),
    }
    return data | changes
