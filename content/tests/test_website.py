"""The agency's website: staff-written pages in both languages, calls to action on every page,
meta descriptions, the favicon, robots.txt and the sitemap (issue 20, item 1)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from content.models import Page
from content.tests.factories import make_article

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/services/",
    "/about/",
    "/growth-meeting/",
    "/contact/",
    "/newsletter/",
    "/articles/",
    "/privacy/",
    "/cookies/",
]
CALLS_TO_ACTION = ["leads:growth_meeting", "leads:contact", "newsletter:signup"]


def _description(html: str) -> str:
    match = re.search(r'<meta name="description" content="([^"]*)">', html)
    assert match, "no meta description"
    return match.group(1)


@pytest.mark.parametrize("prefix", ["", "/nb"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_a_description_and_links_to_every_call_to_action(
    client, prefix, path
):
    response = client.get(prefix + path)

    assert response.status_code == 200
    assert len(_description(response.text).strip()) > 40
    language = "nb" if prefix else "en"
    with translation.override(language):
        for name in CALLS_TO_ACTION:
            assert f'href="{reverse(name)}"' in response.text, name
    assert 'rel="icon"' in response.text


def test_pages_written_by_staff_are_shown_in_the_visitors_language(client):
    services = Page.objects.get(slug="services")
    services.title_en, services.title_nb = "What we do", "Hva vi gjør"
    services.description_en = "Our services for clinics, described by our own staff."
    services.description_nb = "Tjenestene våre for klinikker, beskrevet av oss selv."
    services.body_en = "## Campaigns\n\nWe **plan** them with you."
    services.body_nb = "## Kampanjer\n\nVi **planlegger** dem med deg."
    services.save()

    english = client.get("/services/").text
    norwegian = client.get("/nb/services/").text

    assert "<h1>What we do</h1>" in english
    assert "<h2>Campaigns</h2>" in english
    assert "<strong>plan</strong>" in english
    assert _description(english) == services.description_en
    assert "<h1>Hva vi gjør</h1>" in norwegian
    assert "<strong>planlegger</strong>" in norwegian
    assert _description(norwegian) == services.description_nb


def test_demo_pages_come_with_the_migration_in_both_languages():
    pages = {page.slug: page for page in Page.objects.all()}
    assert set(pages) >= {"home", "services", "about"}
    for page in pages.values():
        assert page.body_en and page.body_nb
        assert page.title_en != page.title_nb
        assert len(page.description_en) <= 160 and len(page.description_nb) <= 160


def test_a_page_staff_removed_is_not_found_and_the_home_page_still_answers(client):
    Page.objects.filter(slug__in=["about", "home"]).delete()

    assert client.get("/about/").status_code == 404
    home = client.get("/")
    assert home.status_code == 200
    assert "Growth for clinics" in home.text


def test_navigation_leads_to_the_services_booking_and_contact(client):
    nav = re.search(r'<nav aria-label="Site">(.*?)</nav>', client.get("/").text, re.S).group(1)
    for name in ["content:services", "content:about", "leads:growth_meeting", "leads:contact"]:
        assert f'href="{reverse(name)}"' in nav


def test_favicon_answers_at_the_root_and_is_a_static_file(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")
    ico = finders.find("wekst/favicon.ico")
    with open(ico, "rb") as handle:
        assert handle.read(4) == b"\x00\x00\x01\x00"  # an ICO file's header
    assert finders.find("wekst/favicon.svg")


def test_robots_txt_allows_the_site_keeps_personal_pages_out_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /privacy-requests/" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_sitemap_lists_public_pages_in_both_languages_and_published_articles_only(client):
    published = make_article(slug="growth-guide")
    make_article(slug="draft-idea", is_published=False)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    xml = response.text
    for path in ["/", "/services/", "/growth-meeting/", "/contact/", "/privacy/"]:
        assert f"<loc>http://testserver{path}</loc>" in xml
        assert f"<loc>http://testserver/nb{path}</loc>" in xml
    assert f"http://testserver/articles/{published.slug}/" in xml
    assert "draft-idea" not in xml
    assert 'hreflang="nb"' in xml


def test_marketing_staff_edit_a_page_in_the_back_office_and_the_site_shows_it(sales_client, client):
    page = Page.objects.get(slug="about")
    url = reverse("admin:content_page_change", args=[page.pk])
    form = sales_client.get(url)
    assert form.status_code == 200

    response = sales_client.post(
        url,
        {
            "slug": "about",
            "title_en": "Who we are",
            "description_en": "The people behind Wekst, the marketing agency for clinics.",
            "body_en": "We are a small team in Oslo.",
            "title_nb": "Hvem vi er",
            "description_nb": "Folkene bak Wekst, markedsføringsbyrået for klinikker.",
            "body_nb": "Vi er et lite team i Oslo.",
        },
    )

    assert response.status_code == 302
    assert "<h1>Who we are</h1>" in client.get("/about/").text
    assert "Vi er et lite team i Oslo." in client.get("/nb/about/").text


def test_demo_pages_render_their_headings_and_lists(client):
    for path in ["/", "/nb/", "/services/", "/about/"]:
        html = client.get(path).text
        assert "<h2>" in html and "## " not in html, path
    assert "<ul><li><strong>" in client.get("/").text
