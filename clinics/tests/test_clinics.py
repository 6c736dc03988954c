"""Clinics (clients): their agreement with Wekst as processor, a form per clinic that names the
clinic as controller and keeps its data apart, and the records of processing as processor
(PRO-03; checklist CL-01, CL-02, RP-05)."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.cache import cache

from clinics.models import Clinic, ClinicContact
from clinics.selectors import clinics_processing_data_of
from clinics.services import submit_clinic_enquiry
from clinics.tests.factories import make_clinic, make_contact
from leads.models import Lead
from leads.tests.factories import contact_form_data, make_lead
from processors.testing import put_on_record
from subjects.models import Subject

pytestmark = pytest.mark.django_db

URL = "/clinics/tannlege-nord/contact/"
NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fixed_time_and_fresh_limits():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


def form_data(**overrides) -> dict:
    data = contact_form_data(**overrides)
    data.pop("marketing_consent", None)
    return data


# The form refuses work without a current agreement (CL-01) --------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"agreement_signed_on": None},
        {"agreement_ends_on": datetime.date(2026, 4, 30)},
        {"covers_article_28_terms": False},
        {"engaged_from": None},
        {"engaged_until": datetime.date(2026, 3, 1)},
    ],
    ids=["no agreement", "agreement ended", "agreement incomplete", "never engaged", "ended"],
)
def test_pro_03_the_clinic_form_is_unavailable_without_a_current_agreement_and_engagement(
    client, options
):
    make_clinic(**options)

    assert client.get(URL).status_code == 404
    assert client.post(URL, form_data()).status_code == 404
    assert not Lead.objects.exists()


def test_pro_03_an_unknown_clinic_is_a_404(client):
    assert client.get("/clinics/nobody/contact/").status_code == 404


# The form names the clinic as controller (Art. 13(1)(a)) ------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/nb"])
def test_pro_03_the_clinic_form_names_the_clinic_as_controller(client, prefix):
    make_clinic(retention_months=18)

    html = client.get(prefix + URL).content.decode()

    assert "<strong>Tannlege Nord AS</strong>" in html
    assert "personvern@tannlege-nord.example" in html
    assert 'name="marketing_consent"' not in html  # no marketing of Wekst's own (CL-02)
    assert "18" in html


def test_pro_03_a_submission_is_stored_for_the_clinic_and_routed_to_its_thanks_page(client):
    clinic = make_clinic()

    response = client.post(URL, form_data(email="per@example.no"))

    assert response.status_code == 302
    assert response["Location"] == "/clinics/tannlege-nord/contact/thanks/"
    lead = Lead.objects.get()
    assert (lead.clinic, lead.email, lead.source) == (
        clinic,
        "per@example.no",
        "clinic_form:tannlege-nord",
    )
    assert "Tannlege Nord AS" in client.get(response["Location"]).content.decode()
    # No newsletter subscription is started for Wekst from a clinic's form.
    assert not lead.subject.newsletter_subscriptions.exists()


def test_pro_03_a_clinic_form_with_errors_keeps_what_was_typed(client):
    make_clinic()

    response = client.post(URL, form_data(email="not-an-address", message="Keep me"))

    assert response.status_code == 200
    assert "Keep me" in response.content.decode()
    assert not Lead.objects.exists()


# Kept apart per clinic (CL-02) --------------------------------------------------------------------


def test_pro_03_clinic_data_is_kept_apart_from_wekst_leads_and_other_clinics():
    north = make_clinic()
    south = make_clinic("tannlege-sor", name="Tannlege Sør AS")
    own = make_lead(email="per@example.no")
    earlier = own.last_contact_at

    with time_machine.travel(NOW + datetime.timedelta(days=3), tick=False):
        for_north, _ = submit_clinic_enquiry(
            clinic=north, name="Per", email="per@example.no", language="nb"
        )
        for_south, _ = submit_clinic_enquiry(
            clinic=south, name="Per", email="per@example.no", language="nb"
        )

    assert Lead.objects.filter(clinic=north).get() == for_north
    assert Lead.objects.filter(clinic=south).get() == for_south
    # Contact through a clinic's form is the clinic's: Wekst's own lead keeps its clock.
    own.refresh_from_db()
    assert own.last_contact_at == earlier
    assert set(clinics_processing_data_of(own.subject)) == {north, south}


def test_pro_03_wekst_lead_lists_leave_out_clinic_data_unless_a_clinic_is_chosen(admin_client):
    clinic = make_clinic()
    make_lead(name="Own Lead", email="own@example.no")
    submit_clinic_enquiry(clinic=clinic, name="Clinic Patient", email="p@example.no", language="nb")

    default = admin_client.get("/admin/leads/lead/").content.decode()
    assert "Own Lead" in default
    assert "Clinic Patient" not in default

    chosen = admin_client.get(f"/admin/leads/lead/?collected_for={clinic.pk}").content.decode()
    assert "Clinic Patient" in chosen
    assert "Own Lead" not in chosen


def test_pro_03_a_clinic_contact_is_linked_to_the_subject_index_as_a_client():
    clinic = make_clinic()

    contact = make_contact(clinic, email="Kari@Tannlege-Nord.example")

    assert contact.subject == Subject.objects.get(email="kari@tannlege-nord.example")
    assert ClinicContact.objects.get(subject=contact.subject).clinic == clinic


# Records of processing as processor (Art. 30(2)) -------------------------------------------------


def test_pro_03_records_as_processor_list_each_clinic_with_its_instructions(admin_client):
    clinic = make_clinic()
    [trafft] = put_on_record("trafft")
    clinic.agreements.get().sub_processors.add(trafft)
    make_clinic("uten-avtale", name="Klinikk Uten Avtale", agreement_signed_on=None)

    html = admin_client.get("/admin/records-of-processing-as-processor/").content.decode()

    assert 'id="record-tannlege-nord"' in html
    assert "Klinikk Uten Avtale" not in html
    assert "Answering enquiries from prospective patients" in html
    assert "Trafft: Serbia - The European Commission&#x27;s Standard Contractual Clauses" in html
    assert "Ola Personvern" in html
    controller_page = admin_client.get("/admin/records-of-processing/").content.decode()
    assert "/admin/records-of-processing-as-processor/" in controller_page


def test_pro_03_records_as_processor_export_as_csv_without_formulas(admin_client):
    make_clinic(name='=HYPERLINK("http://evil.example")')

    response = admin_client.get("/admin/records-of-processing-as-processor.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Controller (clinic)"
    assert rows[0][2] == "Processor and contact"
    assert rows[1][0].startswith("'=HYPERLINK")
    assert "12 months after the last contact; at the latest 3 months" in rows[1][6]
    assert "Harwest AS" in rows[1][2]


def test_pro_03_records_as_processor_are_for_staff_only(client):
    make_clinic()
    assert client.get("/admin/records-of-processing-as-processor.csv").status_code == 302


def test_pro_03_the_clinic_page_in_the_back_office_says_whether_work_may_be_done(admin_client):
    open_clinic = make_clinic()
    closed = make_clinic("stengt", name="Stengt Klinikk", agreement_signed_on=None)

    html = admin_client.get(f"/admin/clinics/clinic/{closed.pk}/change/").content.decode()
    assert "No work is done for this clinic and its enquiry form is unavailable" in html
    html = admin_client.get(f"/admin/clinics/clinic/{open_clinic.pk}/change/").content.decode()
    assert "its enquiry form is open" in html
    assert Clinic.objects.count() == 2


def test_pro_03_records_and_contracts_need_the_privacy_officers_permission(staff_client):
    clinic = make_clinic()
    document = clinic.agreements.get().document.url

    assert staff_client.get("/admin/records-of-processing-as-processor/").status_code == 403
    assert staff_client.get("/admin/records-of-processing-as-processor.csv").status_code == 403
    assert staff_client.get(document).status_code == 403


def test_pro_03_the_old_back_office_addresses_of_clinics_lead_to_the_new_ones(admin_client):
    # Links sent before issue 17 moved the clinics out of processors (e.g. in a staff notice).
    clinic = make_clinic()

    response = admin_client.get(f"/admin/processors/clinic/{clinic.pk}/change/?tab=1")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/clinics/clinic/{clinic.pk}/change/?tab=1"
    assert admin_client.get(response["Location"]).status_code == 200
    # The register's own pages are not redirected.
    assert admin_client.get("/admin/processors/recipient/").status_code == 200
