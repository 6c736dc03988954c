"""The sensitive-page guard as the server answers (CON-10, CL-06; consent/guard.py).

A health-related page (a clinic's pages, an article or page staff marked) carries no tag id and
no embed frame whatever the consent cookie says, and a Content Security Policy that allows this
site only; every other page gives consent.js the declared revealing patterns. The browser test
(test_con_10_health_pages_browser.py) proves what the browser then really does.
"""

from html import escape

import pytest
from django.db import DatabaseError
from django.template import Context, Template
from django.test import RequestFactory

from clinics.tests.factories import make_clinic
from consent import guard
from consent.tests.factories import give_cookie, make_decision
from consent.tests.test_browser import configure_ga4
from content.models import Page
from content.tests.factories import make_article
from declaration.schema import DeclarationError, parse_declaration
from declaration.selectors import get_declaration
from processors.testing import put_on_record

pytestmark = pytest.mark.django_db

CLINIC_FORM = "/clinics/tannlege-nord/contact/"
THIRD_PARTY_HOSTS = ("googletagmanager", "google-analytics", "youtube", "www.google.com")


@pytest.fixture
def everything_accepted(client, settings):
    """GA4 configured and on record, and a browser that accepted every category."""
    configure_ga4(settings)
    put_on_record("google_analytics")
    give_cookie(client, make_decision())
    return client


def csp(response) -> str:
    return response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("path", "guarded"),
    [
        (CLINIC_FORM, True),
        ("/nb" + CLINIC_FORM, True),
        ("/clinics/tannlege-nord/contact/thanks/", True),
        ("/clinics/", True),
        ("/articles/growing-a-dental-clinic/", False),
        ("/nb/", False),
        ("/clinicsx/", False),
    ],
)
def test_con_10_the_declared_patterns_mark_a_clinics_pages_in_both_languages(path, guarded):
    assert guard.is_health_related(request=RequestFactory().get(path)) is guarded


def test_cl_06_con_10_a_clinic_form_with_everything_accepted_has_no_tag_id_and_allows_only_this_site(
    everything_accepted,
):
    make_clinic()

    response = everything_accepted.get(CLINIC_FORM + "?utm_source=ad")
    html = response.content.decode()

    assert response.status_code == 200
    assert 'data-guard="1"' in html and 'data-ga=""' in html
    assert "G-TEST1234" not in html and "data-ga-redact" not in html
    assert not any(host in csp(response) for host in THIRD_PARTY_HOSTS), csp(response)
    assert "frame-src 'none'" in csp(response) and "script-src 'self'" in csp(response)


def test_con_10_a_normal_page_keeps_its_policy_and_gets_the_revealing_patterns(
    everything_accepted,
):
    response = everything_accepted.get("/")
    html = response.content.decode()

    assert 'data-ga="G-TEST1234"' in html and "data-guard" not in html
    assert "&quot;/articles/*/&quot;" in html and "&quot;/nb/articles/*/&quot;" in html
    assert 'data-ga-placeholder="redacted"' in html
    assert "https://www.googletagmanager.com" in csp(response)


def test_cl_06_con_10_an_article_staff_marked_health_related_is_guarded_and_another_is_not(
    everything_accepted,
):
    make_article(slug="tooth-whitening", title="Tooth whitening", health_related=True)
    make_article()

    marked = everything_accepted.get("/articles/tooth-whitening/")
    other = everything_accepted.get("/articles/growing-a-dental-clinic/")

    assert 'data-guard="1"' in marked.content.decode()
    assert "googletagmanager" not in csp(marked)
    assert 'data-guard="1"' not in other.content.decode()
    assert "googletagmanager" in csp(other)


def test_con_10_a_website_page_staff_marked_health_related_shows_its_embed_as_a_plain_link(
    everything_accepted,
):
    assert Page.objects.filter(slug="home").update(health_related=True) == 1  # from a migration

    html = everything_accepted.get("/").content.decode()

    assert "<iframe" not in html and "data-consent-embed" not in html
    assert "data-consent-load" not in html
    assert '<a href="https://www.youtube.com/watch?v=aqz-KE-bpKQ"' in html
    assert "On this page we load nothing from other companies" in html


def test_con_10_a_guarded_page_is_never_kept_in_the_first_visit_cache(client, settings):
    settings.WEKST_FIRST_VISIT_CACHE_SECONDS = 60
    assert Page.objects.filter(slug="home").update(health_related=True) == 1  # from a migration

    client.get("/")
    again = client.get("/")

    assert not any(host in csp(again) for host in THIRD_PARTY_HOSTS), csp(again)
    assert 'data-guard="1"' in again.content.decode()


def test_con_10_the_guard_fails_closed_when_the_database_cannot_answer(monkeypatch):
    def broken(request):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(guard, "_DECIDERS", [broken])

    assert guard.is_health_related(request=RequestFactory().get("/articles/x/")) is True


def test_con_10_an_own_host_policy_allows_nothing_where_only_others_were_allowed():
    policy = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "https://www.googletagmanager.com"],
        "connect-src": ["'self'", "https://*.google-analytics.com"],
        "frame-src": ["https://www.youtube-nocookie.com"],
        "img-src": ["'self'", "data:"],
    }

    assert guard.first_party_policy(policy) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "img-src": ["'self'", "data:"],
    }


def test_con_10_an_embed_rendered_on_a_health_related_page_has_no_provider_frame():
    request = RequestFactory().get(CLINIC_FORM)
    template = Template(
        '{% load consent %}{% consent_embed "youtube" src "Video" "https://www.youtube.com/x" %}'
    )

    html = template.render(
        Context({"src": "https://www.youtube-nocookie.com/embed/x", "request": request})
    )

    assert "youtube-nocookie" not in html and "data-consent" not in html
    assert '<a href="https://www.youtube.com/x" rel="noopener noreferrer">Video</a>' in html


def _raw_declaration() -> dict:
    import yaml
    from django.conf import settings

    with open(settings.WEKST_DECLARATION_PATH, encoding="utf-8") as file:
        return yaml.safe_load(file)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"health_related": ["clinics/**"]}, "'clinics/**' is not a path pattern"),
        ({"health_related": ["/a/**/b/"]}, "'/a/**/b/' is not a path pattern"),
        ({"revealing": ["/articles/"]}, "'/articles/' has no * marking the segment"),
        ({"placeholder": "Not Allowed"}, "placeholder must be lower-case"),
        ({"notice": {"en": "Only English"}}, "notice has no text in nb"),
    ],
)
def test_con_10_a_wrong_sensitive_pages_entry_is_refused_at_start_up_naming_it(section, message):
    data = _raw_declaration()
    data["sensitive_pages"] = {**data["sensitive_pages"], **section}

    with pytest.raises(DeclarationError) as error:
        parse_declaration(data)

    assert "sensitive_pages: " in str(error.value) and message in str(error.value)


def test_con_10_the_cookie_policy_says_what_health_pages_load_and_what_ga4_receives(client):
    pages = get_declaration().sensitive_pages

    english = client.get("/cookies/").content.decode()
    norwegian = client.get("/nb/cookies/").content.decode()

    assert 'id="health-pages"' in english and escape(pages.notice.en) in english
    assert escape(pages.analytics_notice.en) in english
    assert escape(pages.notice.nb) in norwegian
    assert escape(pages.analytics_notice.nb) in norwegian
    assert "Sider om helse" in norwegian
