"""Marketing consent on the lead forms: separate, unticked, and recorded in the words shown."""

import re

import pytest
from django.utils import translation

from declaration.overrides import changed_declaration
from declaration.selectors import get_declaration
from leads.forms import marketing_consent_wording
from leads.models import Lead
from leads.tests.factories import contact_form_data
from newsletter.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/contact/", "/information/", "/nb/contact/"])
def test_lea_01_marketing_choice_is_a_separate_unticked_checkbox_naming_channel_and_sender(
    client, url
):
    page = client.get(url).text

    [checkbox] = re.findall(r"<input[^>]*name=\"marketing_consent\"[^>]*>", page)
    assert 'type="checkbox"' in checkbox
    assert "checked" not in checkbox
    assert "required" not in checkbox
    wording = client.get(url).context["form"].fields["marketing_consent"].label
    assert wording in page
    assert "Harwest AS" in wording  # the sender
    with translation.override("nb" if url.startswith("/nb/") else "en"):
        assert wording == marketing_consent_wording()  # in the language of the page


def test_em_03_the_wording_names_email_as_the_channel():
    with translation.override("en"):
        assert "marketing emails" in marketing_consent_wording()


def test_em_03_an_enquiry_without_the_tick_creates_no_subscription(client, smtp_server, run_tasks):
    client.post("/contact/", contact_form_data())

    run_tasks()

    assert Lead.objects.get().marketing_consent is False
    assert not Subscription.objects.exists()
    assert smtp_server.to("kari@klinikk.example") == []


def test_lea_01_ticked_choice_starts_double_opt_in_with_the_exact_wording_shown(
    client, smtp_server, run_tasks
):
    shown = client.get("/contact/").context["form"].fields["marketing_consent"].label

    client.post("/contact/", contact_form_data(marketing_consent="on", age_confirmed="on"))

    lead = Lead.objects.get()
    assert lead.marketing_consent is True
    assert lead.marketing_consent_wording == shown == marketing_consent_wording()
    subscription = Subscription.objects.get()
    assert subscription.subject == lead.subject
    assert subscription.status == Subscription.Status.UNCONFIRMED
    assert subscription.consent_wording == shown
    assert subscription.source == "contact_form"
    assert subscription.language == "en"

    run_tasks()

    [confirmation] = smtp_server.to("kari@klinikk.example")
    assert "Confirm" in confirmation["Subject"]


def test_lea_01_norwegian_wording_is_recorded_in_norwegian(client):
    client.post("/nb/contact/", contact_form_data(marketing_consent="on", age_confirmed="on"))

    subscription = Subscription.objects.get()
    assert subscription.language == "nb"
    assert subscription.consent_wording == Lead.objects.get().marketing_consent_wording


def test_chi_01_marketing_choice_without_age_confirmation_stores_nothing(client):
    assert get_declaration().children.age_of_consent == 16

    response = client.post("/contact/", contact_form_data(marketing_consent="on"))

    assert response.status_code == 200
    assert "16 or older" in response.text
    assert not Lead.objects.exists()
    assert not Subscription.objects.exists()


def test_chi_01_age_confirmation_box_is_shown_unticked_with_the_declared_threshold(client):
    with changed_declaration(lambda data: data["children"].update(age_of_consent=13)):
        page = client.get("/contact/").text

    [checkbox] = re.findall(r"<input[^>]*name=\"age_confirmed\"[^>]*>", page)
    assert "checked" not in checkbox
    assert "I am 13 or older" in page


def test_chi_01_enquiry_without_marketing_needs_no_age_confirmation(client):
    response = client.post("/contact/", contact_form_data())

    assert response.status_code == 302
    assert Lead.objects.count() == 1
