"""Test data for leads: what a person types into the forms, and leads made through the service."""

from leads.models import Lead
from leads.services import submit_enquiry


def contact_form_data(**overrides) -> dict:
    data = {
        "name": "Kari Nordmann",
        "email": "kari@klinikk.example",
        "phone": "+47 912 34 567",
        "company": "Nordmann Tannklinikk",
        "role": "Clinic manager",
        "message": "We would like more patients to find our new clinic.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_lead(**overrides) -> Lead:
    values = {
        "kind": Lead.Kind.CONTACT,
        "name": "Ola Hansen",
        "email": "ola@klinikk.example",
        "message": "Hello",
        "source": "contact_form",
        "language": "en",
    }
    values.update(overrides)
    lead, _ = submit_enquiry(**values)
    return lead
