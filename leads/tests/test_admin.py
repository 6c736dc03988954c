"""The back office for leads and meetings: listed, searchable, filterable, evidence read-only."""

import datetime

import pytest
from django.utils import timezone

from leads.meetings import record_booking
from leads.models import Lead
from leads.tests.factories import contact_form_data, make_lead

pytestmark = pytest.mark.django_db


def test_leads_are_listed_and_found_by_name_email_or_company(admin_client):
    make_lead(name="Kari Nordmann", email="kari@tann.example", company="Tannklinikken")
    make_lead(name="Ola Hansen", email="ola@hud.example", company="Hudklinikken")

    for term in ("Nordmann", "kari@tann", "Tannklin"):
        page = admin_client.get("/admin/leads/lead/", {"q": term}).text
        assert "kari@tann.example" in page, term
        assert "ola@hud.example" not in page, term


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("kind__exact", "information_request"),
        ("source", "information_form"),
        ("purpose", "information_requests"),
    ],
)
def test_leads_are_filtered_by_kind_source_and_purpose(admin_client, parameter, value):
    make_lead(email="kari@tann.example")
    make_lead(
        email="ola@hud.example",
        kind=Lead.Kind.INFORMATION_REQUEST,
        source="information_form",
    )

    page = admin_client.get("/admin/leads/lead/", {parameter: value}).text

    assert "ola@hud.example" in page
    assert "kari@tann.example" not in page


def test_lead_page_shows_purpose_legal_basis_policy_version_and_consent_proof(client, admin_client):
    client.post("/contact/", contact_form_data(marketing_consent="on", age_confirmed="on"))
    lead = Lead.objects.get()

    page = admin_client.get(f"/admin/leads/lead/{lead.pk}/change/").text

    assert "Answering enquiries" in page  # the purpose, as the policy names it
    assert "Art. 6(1)(b)" in page
    assert lead.policy_version in page
    assert "The contact form" in page
    assert lead.marketing_consent_wording in page
    assert "Subscription:" in page  # the newsletter record holding the double opt-in proof


def test_lead_evidence_cannot_be_edited_and_only_leads_from_other_sources_added(admin_client):
    lead = make_lead()
    page = admin_client.get(f"/admin/leads/lead/{lead.pk}/change/").text
    assert 'name="purpose"' not in page
    assert 'name="policy_version"' not in page
    assert 'name="message"' not in page
    assert 'name="company"' in page  # details the person gave may be corrected (Art. 16)
    assert 'name="email"' not in page
    # The plain add form is replaced by the one that requires the source (TP-02).
    assert admin_client.get("/admin/leads/lead/add/").url == "/admin/leads/lead/enter/"


def test_meetings_are_listed_searchable_and_filtered_by_status(admin_client):
    now = timezone.now()
    for booking_id, email, status in [
        ("a", "kari@tann.example", "booked"),
        ("b", "ola@hud.example", "cancelled"),
    ]:
        record_booking(
            provider="calcom",
            status=status,
            booking_id=booking_id,
            name="",
            email=email,
            starts_at=now + datetime.timedelta(days=2),
            ends_at=None,
            occurred_at=now,
        )

    cancelled = admin_client.get("/admin/leads/meeting/", {"status__exact": "cancelled"}).text
    assert "ola@hud.example" in cancelled
    assert "kari@tann.example" not in cancelled
    found = admin_client.get("/admin/leads/meeting/", {"q": "kari@tann"}).text
    assert "kari@tann.example" in found
    assert "ola@hud.example" not in found
    assert admin_client.get("/admin/leads/meeting/add/").status_code == 403
