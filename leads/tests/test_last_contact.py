""" "Last contact" per lead: moved by two-way contact only, since retention counts from it (LEA-05)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from leads.meetings import record_booking
from leads.models import Lead
from leads.services import record_two_way_contact
from leads.tests.factories import contact_form_data, make_lead
from mail.services import queue_email

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)


def test_lea_05_a_new_lead_starts_its_clock_at_submission():
    with time_machine.travel(START, tick=False):
        lead = make_lead()
    assert lead.last_contact_at == lead.created_at == START


def test_lea_05_a_new_submission_moves_last_contact_on_every_lead_of_the_person(client):
    with time_machine.travel(START, tick=False):
        first = make_lead(email="kari@klinikk.example")
        other_person = make_lead(email="ola@klinikk.example")

    later = START + datetime.timedelta(days=400)
    with time_machine.travel(later, tick=False):
        client.post("/information/", contact_form_data(email="Kari@Klinikk.example"))

    first.refresh_from_db()
    other_person.refresh_from_db()
    assert first.last_contact_at == later
    assert other_person.last_contact_at == START
    assert Lead.objects.get(kind=Lead.Kind.INFORMATION_REQUEST).last_contact_at == later


def test_lea_05_a_booking_moves_last_contact():
    with time_machine.travel(START, tick=False):
        lead = make_lead(email="kari@klinikk.example")

    later = START + datetime.timedelta(days=30)
    with time_machine.travel(later, tick=False):
        record_booking(
            provider="calcom",
            status="booked",
            booking_id="b-1",
            name="Kari Nordmann",
            email="kari@klinikk.example",
            starts_at=later + datetime.timedelta(days=2),
            ends_at=later + datetime.timedelta(days=2, minutes=30),
            occurred_at=later,
        )

    lead.refresh_from_db()
    assert lead.last_contact_at == later


def test_lea_05_outbound_marketing_email_does_not_move_last_contact(smtp_server, run_tasks):
    with time_machine.travel(START, tick=False):
        lead = make_lead(email="kari@klinikk.example")

    with time_machine.travel(START + datetime.timedelta(days=60)):
        queue_email(
            to=lead.email,
            subject_line="Our autumn newsletter",
            body="News from Wekst",
            purpose="newsletter",
            subject=lead.subject,
        )
        run_tasks()

    assert smtp_server.to(lead.email)
    lead.refresh_from_db()
    assert lead.last_contact_at == START


def test_lea_05_a_duplicate_submission_does_not_move_last_contact(client):
    with time_machine.travel(START, tick=False):
        client.post("/contact/", contact_form_data())
    with time_machine.travel(START + datetime.timedelta(minutes=1), tick=False):
        client.post("/contact/", contact_form_data())
    assert Lead.objects.get().last_contact_at == START


def test_lea_05_last_contact_never_moves_backwards():
    lead = make_lead()
    moved = record_two_way_contact(
        subject=lead.subject, at=timezone.now() - datetime.timedelta(days=1)
    )
    assert moved == 0
    before = lead.last_contact_at
    lead.refresh_from_db()
    assert lead.last_contact_at == before
