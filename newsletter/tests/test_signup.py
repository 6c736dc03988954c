"""The sign-up form: what a visitor sees, what is stored, and what is refused."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from declaration.overrides import changed_declaration
from declaration.selectors import get_declaration
from mail.models import OutgoingEmail
from newsletter.forms import CONSENT_WORDING
from newsletter.models import Subscription
from newsletter.tests import factories
from subjects.models import Subject

SIGNUP_URL = "/newsletter/"


def valid_form(**overrides) -> dict:
    return {"email": "kari@example.no", "name": "Kari Nordmann", "age_confirmed": "on"} | overrides


def assert_nothing_stored():
    assert Subscription.objects.count() == 0
    assert Subject.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


@pytest.mark.django_db
def test_dec_05_signup_form_shows_controller_purpose_and_policy_link(client):
    response = client.get(SIGNUP_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Harwest AS" in page
    assert "Art. 6(1)(a)" in page  # consent, the declared legal basis of the newsletter
    assert str(get_declaration().activities["newsletter"].purpose) in page
    assert 'href="/privacy/"' in page
    assert str(CONSENT_WORDING) in page
    assert 'name="website"' in page and "hidden" in page  # the honeypot is there, hidden


@pytest.mark.django_db
def test_lea_02_signup_page_is_served_in_norwegian_too(client):
    response = client.get("/nb/newsletter/")

    assert response.status_code == 200
    assert 'lang="nb"' in response.content.decode()
    assert 'action="/nb/newsletter/"' in response.content.decode()


@pytest.mark.django_db
def test_lea_02_signup_stores_unconfirmed_subscription_with_its_proof(client):
    signed_up_at = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)
    with time_machine.travel(signed_up_at, tick=False):
        response = client.post(SIGNUP_URL, valid_form(email=" Kari@Example.NO "))

    assert response.status_code == 302
    assert response["Location"] == "/newsletter/check-your-inbox/"
    subscription = Subscription.objects.select_related("subject").get()
    assert subscription.subject.email == "kari@example.no"
    assert subscription.status == Subscription.Status.UNCONFIRMED
    assert subscription.confirmed_at is None
    assert subscription.signed_up_at == signed_up_at
    assert subscription.policy_version == get_declaration().current.version
    assert subscription.consent_wording == str(CONSENT_WORDING)
    assert subscription.language == "en"
    assert subscription.source == "newsletter_form"
    assert subscription.name == "Kari Nordmann"
    [email] = OutgoingEmail.objects.all()
    assert email.to_address == "kari@example.no"
    assert email.purpose == "newsletter"


@pytest.mark.django_db
def test_lea_02_signup_in_norwegian_records_the_language(client):
    client.post("/nb/newsletter/", valid_form())

    assert Subscription.objects.get().language == "nb"


@pytest.mark.django_db
def test_lea_02_known_and_unknown_addresses_get_the_same_page(client):
    factories.confirmed_subscription("known@example.no")
    factories.unconfirmed_subscription("pending@example.no")

    answers = []
    for address in ["new@example.no", "known@example.no", "pending@example.no"]:
        response = client.post(SIGNUP_URL, valid_form(email=address), follow=True)
        answers.append((response.status_code, response.redirect_chain, response.content))

    assert answers[0][0] == 200
    assert answers[0][1] == [("/newsletter/check-your-inbox/", 302)]
    assert answers[0] == answers[1] == answers[2]
    assert b"Check your inbox" in answers[0][2]


@pytest.mark.django_db
def test_chi_01_signup_without_age_confirmation_stores_nothing(client):
    response = client.post(SIGNUP_URL, valid_form(age_confirmed=""))

    assert response.status_code == 400
    assert "You must be 16 or older to subscribe" in response.content.decode()
    assert_nothing_stored()


@pytest.mark.django_db
def test_chi_01_age_threshold_comes_from_the_declaration(client):
    with changed_declaration(lambda data: data["children"].update(age_of_consent=13)):
        response = client.get(SIGNUP_URL)

    assert "I am 13 or older" in response.content.decode()
    assert "I am 16 or older" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "a" * 250 + "@example.no"}, "email", "at most 254 characters"),
        ({"name": "K" * 101}, "name", "at most 100 characters"),
        ({"name": "Kari\r\nBcc: victim@example.com"}, "name", "on one line"),
        ({"name": "Kari\x00"}, "name", "Null characters are not allowed."),
        ({"email": "kari@example.no\r\nBcc: victim@example.com"}, "email", "valid email"),
    ],
    ids=[
        "invalid-email",
        "missing-email",
        "oversized-email",
        "oversized-name",
        "crlf-in-name",
        "nul-in-name",
        "crlf-in-email",
    ],
)
def test_sec_03_bad_input_is_refused_with_a_message_and_nothing_stored(
    client, overrides, field, message
):
    response = client.post(SIGNUP_URL, valid_form(**overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert_nothing_stored()


@pytest.mark.django_db
def test_lea_04_honeypot_refuses_with_a_clear_message(client):
    response = client.post(SIGNUP_URL, valid_form(website="https://spam.example"))

    assert response.status_code == 400
    assert "looked automated" in response.content.decode()
    assert_nothing_stored()


@pytest.mark.django_db
def test_lea_04_too_many_signups_from_one_ip_get_429(client, settings):
    settings.NEWSLETTER_RATE_LIMIT_PER_IP = 2

    first = client.post(SIGNUP_URL, valid_form(email="one@example.no"))
    second = client.post(SIGNUP_URL, valid_form(email="two@example.no"))
    third = client.post(SIGNUP_URL, valid_form(email="three@example.no"))

    assert (first.status_code, second.status_code) == (302, 302)
    assert third.status_code == 429
    assert "Too many attempts" in third.content.decode()
    assert "try again in 60 minutes" in third.content.decode()
    assert not Subject.objects.filter(email="three@example.no").exists()

    later = timezone.now() + datetime.timedelta(
        seconds=settings.NEWSLETTER_RATE_LIMIT_WINDOW_SECONDS
    )
    with time_machine.travel(later):
        fourth = client.post(SIGNUP_URL, valid_form(email="three@example.no"))
    assert fourth.status_code == 302
    assert Subject.objects.filter(email="three@example.no").exists()


@pytest.mark.django_db
def test_lea_04_too_many_signups_for_one_address_get_429_from_any_ip(client, settings):
    settings.NEWSLETTER_RATE_LIMIT_PER_ADDRESS = 1

    first = client.post(SIGNUP_URL, valid_form(), REMOTE_ADDR="192.0.2.1")
    second = client.post(SIGNUP_URL, valid_form(email="KARI@example.no"), REMOTE_ADDR="192.0.2.2")

    assert first.status_code == 302
    assert second.status_code == 429
    assert OutgoingEmail.objects.count() == 1  # no second confirmation email to the same inbox
