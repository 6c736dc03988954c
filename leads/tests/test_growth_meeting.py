"""The "Book a growth meeting" page without Trafft's API: a first-party request staff confirm."""

import pytest
from django.urls import reverse

from declaration.selectors import get_declaration
from leads.models import Lead
from mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db

URL = "/growth-meeting/"


def meeting_data(**changes) -> dict:
    data = {
        "name": "Kari Nordmann",
        "email": "kari@klinikk.example",
        "phone": "",
        "company": "Nordmann Tannklinikk",
        "preferred_times": "Tuesday morning or Thursday after 14:00",
        "topic": "patients",
        "message": "We open a second clinic in March.",
    }
    return {**data, **changes}


def test_growth_meeting_page_is_served_in_both_languages_with_the_meetings_notice(client):
    assert reverse("leads:growth_meeting") == URL
    meetings = get_declaration().activities["meetings"]
    english = client.get(URL)
    norwegian = client.get("/nb/growth-meeting/")
    assert english.status_code == norwegian.status_code == 200
    assert "Book a growth meeting" in english.text
    assert "Bestill et vekstmøte" in norwegian.text
    # The Art. 13 notice at the point of collection names the meetings activity (DEC-05).
    assert "collection-notice" in english.text
    assert str(meetings.purpose.en) in english.text
    assert str(meetings.purpose.nb) in norwegian.text


def test_growth_meeting_request_is_stored_as_a_meeting_request_and_staff_are_told(
    client, smtp_server, run_tasks, staff_inbox
):
    response = client.post(URL, meeting_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("leads:growth_meeting_thanks")
    lead = Lead.objects.get()
    assert lead.kind == Lead.Kind.MEETING_REQUEST
    assert (lead.name, lead.email, lead.company) == (
        "Kari Nordmann",
        "kari@klinikk.example",
        "Nordmann Tannklinikk",
    )
    assert lead.purpose == "meetings"
    assert lead.legal_basis == get_declaration().activities["meetings"].legal_basis
    assert lead.source == "growth_meeting_form"
    assert lead.message == (
        "Preferred times: Tuesday morning or Thursday after 14:00\n"
        "Topic: More new patients\n\n"
        "We open a second clinic in March."
    )

    run_tasks()

    for address in staff_inbox:
        [message] = smtp_server.to(address)
        assert message["Subject"] == "Growth meeting requested by Kari Nordmann: confirm a time"
        assert "Tuesday morning or Thursday after 14:00" in message.get_content()
    assert set(OutgoingEmail.objects.values_list("purpose", flat=True)) == {"meetings"}


def test_growth_meeting_request_needs_times_topic_and_clinic_and_loses_nothing(client):
    response = client.post(
        URL, meeting_data(preferred_times="", topic="", company="", message="Keep this text")
    )

    assert response.status_code == 200
    assert not Lead.objects.exists()
    assert response.text.count('role="alert"') >= 3
    # What was typed is shown again, not lost.
    assert "Keep this text" in response.text
    assert 'value="Kari Nordmann"' in response.text


def test_growth_meeting_form_is_guarded_like_the_other_public_forms(client):
    # The honeypot filled: the answer a person would get, and nothing stored.
    from wekst.public_forms import HONEYPOT_FIELD

    response = client.post(URL, meeting_data(**{HONEYPOT_FIELD: "http://spam.example"}))

    assert response.status_code == 302
    assert response["Location"] == reverse("leads:growth_meeting_thanks")
    assert not Lead.objects.exists()
