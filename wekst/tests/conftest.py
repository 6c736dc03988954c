import pytest
from django.test.signals import template_rendered

from wekst import pagecache


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
