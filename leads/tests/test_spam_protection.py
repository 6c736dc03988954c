"""Spam protection with no third party: a honeypot and rate limits (LEA-04, CK-15)."""

import datetime
import logging
import re

import pytest
import time_machine
from django.utils import timezone

from leads.models import Lead
from leads.tests.factories import contact_form_data
from mail.models import OutgoingEmail
from wekst.public_forms import HONEYPOT_FIELD

pytestmark = pytest.mark.django_db


def test_lea_04_honeypot_is_in_the_form_but_hidden_from_people(client):
    page = client.get("/contact/").text
    [wrapper] = re.findall(r'<div class="hp" aria-hidden="true">.*?</div>', page, re.S)
    assert f'name="{HONEYPOT_FIELD}"' in wrapper
    assert 'tabindex="-1"' in wrapper
    assert 'autocomplete="off"' in wrapper


def test_lea_04_a_bot_that_fills_the_honeypot_gets_thanks_and_nothing_is_stored(client, caplog):
    with caplog.at_level(logging.INFO, logger="leads.views"):
        response = client.post(
            "/contact/", contact_form_data(**{HONEYPOT_FIELD: "http://spam.example"})
        )

    assert response.status_code == 302
    assert response["Location"] == "/contact/thanks/"
    assert not Lead.objects.exists()
    assert not OutgoingEmail.objects.exists()
    assert "Honeypot filled on the contact_form" in caplog.text
    assert "kari@klinikk.example" not in caplog.text  # the log holds no personal data


def test_lea_04_no_captcha_or_other_third_party_script_is_loaded(client):
    for url in ("/contact/", "/information/"):
        page = client.get(url).text.lower()
        assert "captcha" not in page
        for source in re.findall(r'<(?:script|link|iframe|img)[^>]+(?:src|href)="([^"]+)"', page):
            assert not source.startswith(("http:", "https:", "//")), source


def test_lea_04_per_ip_limit_refuses_with_429_and_keeps_what_was_typed(client, settings, caplog):
    settings.LEADS_RATE_LIMIT_PER_IP = 2
    client.post("/contact/", contact_form_data(message="first"))
    client.post("/contact/", contact_form_data(email="", message="second, invalid"))

    with caplog.at_level(logging.WARNING, logger="leads.views"):
        response = client.post("/contact/", contact_form_data(message="third"))

    assert response.status_code == 429
    assert "too many times" in response.text
    assert "Nordmann Tannklinikk" in response.text
    assert "\nthird</textarea>" in response.text
    assert list(Lead.objects.values_list("message", flat=True)) == ["first"]
    assert "Rate limit reached on the contact_form" in caplog.text


def test_lea_04_per_address_limit_counts_across_client_addresses(client, settings):
    settings.LEADS_RATE_LIMIT_PER_ADDRESS = 2
    for number, ip in enumerate(["192.0.2.1", "192.0.2.2"]):
        response = client.post(
            "/contact/", contact_form_data(message=f"message {number}"), REMOTE_ADDR=ip
        )
        assert response.status_code == 302

    response = client.post(
        "/contact/", contact_form_data(message="message 3"), REMOTE_ADDR="192.0.2.3"
    )
    assert response.status_code == 429
    assert Lead.objects.count() == 2
    # Another person from the same network is not affected.
    other = client.post(
        "/contact/", contact_form_data(email="ola@klinikk.example"), REMOTE_ADDR="192.0.2.3"
    )
    assert other.status_code == 302


def test_lea_04_per_address_limit_counts_one_address_however_it_is_typed(client, settings):
    # "İ" is "i" to the subject index (wekst.addresses): counted apart, each spelling of one
    # address would get a budget of its own.
    settings.LEADS_RATE_LIMIT_PER_ADDRESS = 2
    spellings = [
        "kari.nordmann@example.no",
        " KARI.NORDMANN@example.no",
        "kar\u0130.nordmann@example.no",
    ]
    statuses = [
        client.post(
            "/contact/", contact_form_data(email=email, message=f"m{n}"), REMOTE_ADDR=f"192.0.2.{n}"
        ).status_code
        for n, email in enumerate(spellings, start=1)
    ]

    assert statuses == [302, 302, 429]
    assert Lead.objects.count() == 2


def test_lea_04_a_submission_refused_for_its_client_does_not_count_for_its_address(
    client, settings
):
    settings.LEADS_RATE_LIMIT_PER_IP = 1
    settings.LEADS_RATE_LIMIT_PER_ADDRESS = 2
    statuses = [
        client.post("/contact/", contact_form_data(message=f"m{n}"), REMOTE_ADDR=ip).status_code
        for n, ip in enumerate(["192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.3"])
    ]

    # The second was refused for its client before its address was counted: the third is the
    # address's second, the fourth its third.
    assert statuses == [302, 429, 302, 429]
    assert Lead.objects.count() == 2


def test_lea_04_a_refused_person_can_send_again_after_the_window(client, settings):
    settings.LEADS_RATE_LIMIT_PER_IP = 1
    client.post("/contact/", contact_form_data(message="first"))
    assert client.post("/contact/", contact_form_data(message="second")).status_code == 429

    later = timezone.now() + datetime.timedelta(
        seconds=settings.LEADS_RATE_LIMIT_WINDOW_SECONDS + 1
    )
    with time_machine.travel(later):
        assert client.post("/contact/", contact_form_data(message="second")).status_code == 302
    assert Lead.objects.count() == 2
