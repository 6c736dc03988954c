"""The first-visit page cache serves the same home page without rendering it again, and never a
page that depends on the visitor (wekst/pagecache.py)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_first_visit_home_page_is_rendered_once_and_served_identical(renders):
    first = Client().get("/")
    second = Client().get("/")

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(renders) == 1
    # Headers are still made for each response by the middleware around the cache.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    assert second["Content-Language"] == "en"
    assert not second.cookies  # and a first visit still sets no cookie (CON-01)


def test_each_language_and_the_gpc_signal_have_their_own_page(renders):
    english = Client().get("/").text
    norwegian = Client().get("/nb/").text
    with_gpc = Client().get("/", headers={"Sec-GPC": "1"}).text
    Client().get("/nb/")
    Client().get("/", headers={"Sec-GPC": "1"})

    assert len(renders) == 3
    assert 'lang="nb"' in norwegian and 'lang="en"' in english
    assert with_gpc != english


def test_a_visitor_with_a_cookie_or_a_query_gets_a_fresh_page(renders):
    Client().get("/")
    visitor = Client()
    visitor.cookies["wekst_consent"] = "anything"
    visitor.get("/")
    Client().get("/?utm_source=newsletter")

    assert len(renders) == 3


def test_the_page_expires(renders, monkeypatch, settings):
    from wekst import pagecache

    now = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: now[0])
    Client().get("/")
    now[0] += settings.WEKST_FIRST_VISIT_CACHE_SECONDS - 1
    Client().get("/")
    assert len(renders) == 1
    now[0] += 2
    Client().get("/")
    assert len(renders) == 2


def test_off_outside_production_by_default(settings):
    assert settings.WEKST_FIRST_VISIT_CACHE_SECONDS == 0
