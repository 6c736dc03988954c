"""A POST to an enquiry form page is resolved among the leads' routes first (wekst/fastlane.py,
wekst/form_urls.py; issue 23) and loses nothing: the same view and match in each language, the
same CSRF check, and the same page, headers included, when it is shown again with its errors."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from leads.models import Lead
from leads.tests.factories import contact_form_data
from wekst import fastlane
from wekst.form_urls import form_urlconf

pytestmark = pytest.mark.django_db
VARYING = {"Expires", "Set-Cookie", "Content-Length"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.mark.parametrize("language", ["en", "nb"])
def test_sec_05_a_contact_post_is_resolved_among_the_leads_routes_first(client, settings, language):
    with translation.override(language):
        path, thanks = reverse("leads:contact"), reverse("leads:contact_thanks")

    response = client.post(path, contact_form_data())

    assert response.status_code == 302
    assert response["Location"] == thanks
    assert response.wsgi_request.urlconf is form_urlconf(settings.ROOT_URLCONF)
    assert response.wsgi_request.resolver_match.view_name == "leads:contact"
    assert Lead.objects.get().language == language


def test_sec_05_the_contact_post_keeps_the_csrf_check():
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/contact/")
    token = TOKEN.search(page.text)[0].split('value="')[1].rstrip('"')

    refused = browser.post("/contact/", contact_form_data())
    accepted = browser.post("/contact/", {**contact_form_data(), "csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert Lead.objects.count() == 1


def test_sec_05_the_contact_page_shown_again_with_errors_is_the_full_stacks(client, settings):
    invalid = contact_form_data(email="not an address")
    lane = client.post("/contact/", invalid)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != fastlane.NAME]
    full = Client().post("/contact/", invalid)  # a new client loads the stack without the lane

    assert lane.wsgi_request.urlconf is form_urlconf(settings.ROOT_URLCONF)
    assert not hasattr(full.wsgi_request, "urlconf")
    assert lane.status_code == full.status_code == 200
    assert {k: v for k, v in lane.headers.items() if k not in VARYING} == {
        k: v for k, v in full.headers.items() if k not in VARYING
    }
    assert TOKEN.sub("", lane.text) == TOKEN.sub("", full.text)
    assert not Lead.objects.exists()
