"""The banner and embeds as the server renders them (CON-01, CON-02, CON-06)."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from consent.tests.factories import give_cookie, make_decision
from processors.testing import put_on_record

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/privacy/", "/cookies/", "/nb/", "/nb/cookies/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_con_02_every_public_page_has_the_banner_and_the_cookie_settings_link(client, path):
    html = client.get(path).content.decode()

    assert html.count('id="wekst-consent"') == 1
    assert 'role="dialog"' in html and 'aria-labelledby="wc-title"' in html
    assert '<a href="#wekst-consent" data-consent-open>' in html
    assert re.search(r'value="accept_all"', html) and re.search(r'value="reject_all"', html)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_con_01_a_first_visit_sets_no_cookie_at_all(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert dict(response.cookies) == {}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_con_01_pages_have_no_inline_script_so_a_strict_csp_can_follow(client, path):
    html = client.get(path).content.decode()

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the consent script is missing"
    assert all(" src=" in tag for tag in scripts)
    assert not re.search(r"\son[a-z]+\s*=", html)


def test_con_02_non_necessary_boxes_are_unticked_before_a_choice(client):
    html = client.get("/").content.decode()

    boxes = re.findall(r'<input type="checkbox"[^>]*>', html)
    assert boxes[0] == '<input type="checkbox" checked disabled>'  # necessary: always on
    assert [b for b in boxes[1:] if "checked" in b] == []
    assert len(boxes) == 4


def test_con_04_cookie_settings_show_the_stored_choice(client):
    give_cookie(client, make_decision(analytics=True, marketing=False, embedded=True))

    html = client.get("/").content.decode()

    assert '<input type="checkbox" name="analytics" value="1" checked>' in html
    assert '<input type="checkbox" name="marketing" value="1">' in html
    assert '<input type="checkbox" name="embedded" value="1" checked>' in html
    assert '<input type="hidden" name="method" value="settings">' in html


def test_con_06_the_home_page_embed_is_a_placeholder_with_no_provider_address_loaded(client):
    html = client.get("/").content.decode()

    assert "<iframe" not in html
    assert 'data-src="https://www.youtube-nocookie.com/embed/' in html
    assert not re.search(r'\ssrc="https://www\.youtube', html)
    assert "YouTube's privacy notice" in html


def test_con_06_with_embedded_consent_the_server_renders_the_iframe(client):
    give_cookie(client, make_decision(analytics=False, marketing=False, embedded=True))

    html = client.get("/").content.decode()

    assert '<iframe src="https://www.youtube-nocookie.com/embed/' in html


def test_con_06_an_embed_from_another_address_than_its_provider_is_refused():
    template = Template('{% load consent %}{% consent_embed "youtube" src "Video" %}')
    request = RequestFactory().get("/")

    with pytest.raises(ValueError, match="youtube-nocookie"):
        template.render(Context({"src": "https://www.youtube.com/embed/x", "request": request}))
    with pytest.raises(ValueError, match="Unknown embed provider"):
        Template('{% load consent %}{% consent_embed "vimeo" "https://x" "V" %}').render(
            Context({"request": request})
        )


def test_con_05_the_measurement_id_reaches_the_page_only_when_set(client, settings):
    assert 'data-ga=""' in client.get("/").content.decode()

    settings.GA4_MEASUREMENT_ID = "G-TEST1234"
    put_on_record("google_analytics")  # GA4 runs only with its DPA on record (PRO-02)

    html = client.get("/").content.decode()
    assert 'data-ga="G-TEST1234"' in html
    assert "googletagmanager" not in html  # the script adds it, after consent only
