"""The sitemap: every public page a search engine may index, in English and at /nb/."""

from django.contrib import sitemaps
from django.urls import reverse

from content import selectors

# Public pages without a parameter, most important first. Forms' thank-you pages, accounts and
# a person's privacy requests are left out: nothing there is for a search engine.
STATIC_PAGES = [
    "content:home",
    "content:services",
    "content:about",
    "leads:growth_meeting",
    "leads:contact",
    "newsletter:signup",
    "content:articles",
    "declaration:privacy_policy",
    "declaration:cookie_policy",
    "rights:portal",
]


class StaticPagesSitemap(sitemaps.Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return STATIC_PAGES

    def location(self, item):
        return reverse(item)


class ArticlesSitemap(sitemaps.Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return selectors.published_articles()

    def location(self, item):
        return reverse("content:article", kwargs={"slug": item.slug})

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"pages": StaticPagesSitemap, "articles": ArticlesSitemap}
