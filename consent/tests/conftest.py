"""Fixtures for the consent tests: an empty rate-limit cache and same-origin posts."""

import pytest
from django.core.cache import cache

from consent import services

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
