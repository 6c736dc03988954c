import pytest
from django.test.signals import template_rendered

from wekst import pagecache
from wekst.tests import redis_store


@pytest.fixture
def renders(settings):
    """The first-visit page cache on, as in production, and emptied before and after; the list
    of the home page's renders, which grows each time it is rendered rather than served."""
    settings.WEKST_FIRST_VISIT_CACHE_SECONDS = 60
    pagecache.PAGES.clear()
    pagecache.ANSWERS.clear()
    seen: list[str] = []

    def count(sender, template, context, **kwargs):
        if template.name == "content/home.html":
            seen.append(template.name)

    template_rendered.connect(count)
    yield seen
    template_rendered.disconnect(count)
    pagecache.PAGES.clear()
    pagecache.ANSWERS.clear()


@pytest.fixture
def in_redis(settings):
    """Django's default cache (and so the rate limits) in the test Redis, as in production,
    under a key prefix of this test's own that is deleted afterwards (wekst/tests/redis_store.py)."""
    redis_store.require()
    prefix = redis_store.new_prefix("cache")
    settings.CACHES = redis_store.cache_settings(prefix)
    yield prefix
    redis_store.forget(prefix)
