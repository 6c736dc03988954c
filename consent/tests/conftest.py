"""Fixtures for the consent tests: an empty rate-limit cache, same-origin posts, and the live site
the crawls go through."""

import pytest
from django.core.cache import cache

from clinics.tests.factories import make_clinic
from consent import services
from consent.tests.test_browser import configure_ga4
from content.tests.factories import make_article
from processors.testing import put_on_record

# What a browser sends with a POST from a page of this site (Django's test server is testserver).
SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
JSON = {"Accept": "application/json"}


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits count in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_banner_texts():
    """The banner text is kept once per process; each test's database starts without it."""
    services.forget_banner_texts()
    yield
    services.forget_banner_texts()


@pytest.fixture
def decide(client):
    """POST a decision to /consent/ as consent.js does (JSON), from a page of this site."""

    def post(data: dict, *, path: str = "/consent/", headers: dict | None = None, **extra):
        return client.post(path, data, headers={**SAME_ORIGIN, **JSON, **(headers or {})}, **extra)

    return post


@pytest.fixture
def demo_site(live_server, settings, tmp_path):
    """The live site with GA4 configured and on record, and the objects some pages need: an
    article (with its comment form) and a clinic whose enquiry form may be shown (the DEC-07
    crawl and the ACC-01 axe test)."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    configure_ga4(settings)
    put_on_record("google_analytics")
    make_article()
    make_clinic()
    return live_server
