"""The contact form and the information request form, end to end through the test client."""

import pytest
from django.urls import reverse

from declaration.selectors import get_declaration
from leads.forms import MESSAGE_MAX_LENGTH
from leads.models import Lead
from leads.tests.factories import contact_form_data
from mail.models import OutgoingEmail
from subjects.models import Subject

CONTACT_URL = "/contact/"
INFORMATION_URL = "/information/"

pytestmark = pytest.mark.django_db


def test_contact_and_information_pages_are_served_in_both_languages(client):
    assert reverse("leads:contact") == CONTACT_URL
    for url in (CONTACT_URL, "/nb/contact/", INFORMATION_URL, "/nb/information/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'method="post"' in response.text


def test_lea_01_contact_form_stores_a_lead_with_purpose_legal_basis_source_and_version(
    client, smtp_server, run_tasks, staff_inbox
):
    response = client.post(CONTACT_URL, contact_form_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("leads:contact_thanks")
    lead = Lead.objects.get()
    assert lead.kind == Lead.Kind.CONTACT
    assert (lead.name, lead.email, lead.phone) == (
        "Kari Nordmann",
        "kari@klinikk.example",
        "+47 912 34 567",
    )
    assert (lead.company, lead.role) == ("Nordmann Tannklinikk", "Clinic manager")
    assert lead.message == "We would like more patients to find our new clinic."
    assert lead.purpose == "enquiries"
    assert lead.legal_basis == get_declaration().activities["enquiries"].legal_basis == "contract"
    assert lead.source == "contact_form"
    assert lead.policy_version == get_declaration().current.version
    assert lead.language == "en"
    assert lead.marketing_consent is False
    assert lead.marketing_consent_wording == ""
    # Linked to the subject index by normalised email and phone (issue 3, item 1).
    assert lead.subject == Subject.objects.get(email="kari@klinikk.example")
    assert lead.subject.phone == "+4791234567"

    run_tasks()

    for address in staff_inbox:
        [message] = smtp_server.to(address)
        assert message["Subject"] == "New enquiry from Kari Nordmann"
        assert message["Reply-To"] == "kari@klinikk.example"
        body = message.get_content()
        assert "Nordmann Tannklinikk" in body
        assert "more patients to find our new clinic" in body
    assert set(OutgoingEmail.objects.values_list("purpose", flat=True)) == {"enquiries"}
    assert set(OutgoingEmail.objects.values_list("subject", flat=True)) == {lead.subject.pk}


def test_lea_01_thank_you_page_follows_the_submission(client):
    response = client.post(CONTACT_URL, contact_form_data(), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("leads:contact_thanks"), 302)]
    assert "Thank you" in response.text


def test_lea_01_information_request_stores_its_own_purpose_and_needs_only_an_email(
    client, smtp_server, run_tasks, staff_inbox
):
    response = client.post(
        INFORMATION_URL,
        {"email": "ola@klinikk.example", "message": "Your guide to patient reviews, please."},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("leads:information_thanks")
    lead = Lead.objects.get()
    assert lead.kind == Lead.Kind.INFORMATION_REQUEST
    assert lead.name == ""
    assert lead.purpose == "information_requests"
    assert lead.legal_basis == "legitimate_interests"
    assert lead.source == "information_form"

    run_tasks()

    [message] = smtp_server.to("sales@wekst.test")
    assert message["Subject"] == "New information request from ola@klinikk.example"
    assert "patient reviews" in message.get_content()


def test_lea_01_norwegian_form_records_the_language_shown(client):
    client.post("/nb/contact/", contact_form_data())
    assert Lead.objects.get().language == "nb"


@pytest.mark.parametrize(
    ("url", "activity_key"),
    [(CONTACT_URL, "enquiries"), (INFORMATION_URL, "information_requests")],
)
def test_dec_05_form_shows_controller_purpose_legal_basis_and_policy_link(
    client, url, activity_key
):
    declaration = get_declaration()
    activity = declaration.activities[activity_key]

    page = client.get(url).text

    assert "collection-notice" in page
    assert declaration.controller.legal_name in page
    assert str(activity.purpose.en) in page
    assert activity.legal_basis_article.in_language("en") in page
    assert f'href="{reverse("declaration:privacy_policy")}"' in page
    # What is required and what happens without it (EM-01).
    assert str(activity.required.en) in page
    assert "(required)" in page


def test_dec_05_norwegian_form_shows_the_notice_in_norwegian(client):
    activity = get_declaration().activities["enquiries"]
    page = client.get("/nb/contact/").text
    assert activity.purpose.nb in page
    assert 'href="/nb/privacy/"' in page


def test_em_02_message_field_warns_against_patient_or_health_information(client):
    assert "information about patients or anyone" in client.get(CONTACT_URL).text


def test_em_02_stored_lead_has_only_the_declared_fields():
    declared = get_declaration().personal_data_fields["leads.Lead"]
    stored = {field.name for field in Lead._meta.concrete_fields}
    assert stored == set(declared)
    personal = {name for name, category in declared.items() if category != "none"}
    assert personal == {
        "name",
        "email",
        "phone",
        "company",
        "role",
        "message",
        "language",
        "marketing_consent",
        "marketing_consent_wording",
        # A lead from another source: where we got it (Art. 14(2)(f), 15(1)(g)), and who left
        # out its Art. 14 notice and why (TP-02).
        "source_description",
        "notice_exception_reason",
        "notice_exception_by",
    }


def _nothing_stored():
    return not Lead.objects.exists() and not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "kari-at-klinikk"}, "email", "Enter a valid email address."),
        ({"email": "kari@klinikk.example\r\nBcc: x@evil.example"}, "email", "valid email"),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"company": "x" * 201}, "company", "at most 200 characters"),
        ({"role": "x" * 101}, "role", "at most 100 characters"),
        ({"phone": "1" * 33}, "phone", "at most 32 characters"),
        ({"message": "x" * (MESSAGE_MAX_LENGTH + 1)}, "message", "at most 5000 characters"),
        ({"phone": "call me maybe"}, "phone", "phone number with digits only"),
        ({"name": "Kari\r\nBcc: victim@example.com"}, "name", "on one line"),
        ({"name": "Kari\nNordmann"}, "name", "on one line"),
        ({"company": "Klinikk\rX-Header: 1"}, "company", "on one line"),
        ({"message": "Hello\x07bell"}, "message", "cannot be stored"),
    ],
)
def test_sec_03_bad_input_is_refused_with_a_clear_error_and_nothing_is_lost(
    client, overrides, field, error
):
    data = contact_form_data(**overrides)

    response = client.post(CONTACT_URL, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert error in " ".join(form.errors[field])
    assert error in response.text  # the visitor sees the message
    assert _nothing_stored()
    # What was typed is still in the form, to correct and send again.
    assert 'value="Nordmann Tannklinikk"' in response.text or field == "company"
    assert "more patients to find our new clinic" in response.text or field == "message"


def test_sec_03_markup_typed_into_the_form_is_shown_escaped(client):
    response = client.post(CONTACT_URL, contact_form_data(email="", company="<script>x</script>"))
    assert "<script>x</script>" not in response.text
    assert "&lt;script&gt;x&lt;/script&gt;" in response.text


def test_sec_03_forms_are_protected_against_cross_site_request_forgery(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(CONTACT_URL, contact_form_data()).status_code == 403
    assert not Lead.objects.exists()


def test_lea_01_duplicate_submission_is_stored_once_and_is_not_an_error(
    client, smtp_server, run_tasks, staff_inbox
):
    first = client.post(CONTACT_URL, contact_form_data())
    second = client.post(CONTACT_URL, contact_form_data(email="  KARI@klinikk.example "))

    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("leads:contact_thanks")
    assert Lead.objects.count() == 1
    run_tasks()
    assert len(smtp_server.to("sales@wekst.test")) == 1


def test_lea_01_same_person_with_a_new_message_is_a_new_lead(client):
    client.post(CONTACT_URL, contact_form_data())
    client.post(CONTACT_URL, contact_form_data(message="One more question about prices."))
    assert Lead.objects.count() == 2
    assert Subject.objects.count() == 1


def test_lea_01_the_same_content_after_the_duplicate_window_is_a_new_lead(client, settings):
    import datetime

    import time_machine
    from django.utils import timezone

    client.post(CONTACT_URL, contact_form_data())
    later = timezone.now() + datetime.timedelta(seconds=settings.LEADS_DUPLICATE_WINDOW_SECONDS + 1)
    with time_machine.travel(later):
        client.post(CONTACT_URL, contact_form_data())
    assert Lead.objects.count() == 2
