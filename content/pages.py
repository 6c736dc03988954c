"""The agency's own pages (home, services, about, written by staff as content.Page), and what
browsers and search engines ask every site for: /favicon.ico, /robots.txt, /sitemap.xml."""

from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from content import selectors
from content.rendering import render_body
from content.sitemaps import SITEMAPS


def _page_context(request, slug: str) -> dict | None:
    page = selectors.get_page(slug=slug, language=get_language(), request=request)
    if page is None:
        return None
    return {"page": page, "body": render_body(page["body"])}


@require_safe
def home(request):
    # Staff may delete the home page's text; the page still answers with its built-in words.
    return render(request, "content/home.html", _page_context(request, "home") or {})


@require_safe
def page(request, slug: str):
    context = _page_context(request, slug)
    if context is None:
        raise Http404
    return render(request, "content/page.html", context)


@require_safe
def favicon(request):
    # Browsers ask /favicon.ico whatever the page links; the file lives with the static files.
    return redirect(static("wekst/favicon.ico"), permanent=True)


@require_safe
def robots_txt(request):
    # Nothing personal is indexed: the back office, a profile, confirmation links and a person's
    # privacy requests are disallowed. The forms that lead to them (sign in, register, the portal)
    # and their "check your inbox" pages hold nothing personal and may be found (ACC-01: SEO).
    # A longer rule wins (RFC 9309); the more specific lines come first for first-match parsers.
    lines = ["User-agent: *", "Disallow: /admin/"]
    for prefix in ("/", "/nb/"):
        lines += [
            f"Disallow: {prefix}account/signup/confirm/",
            f"Allow: {prefix}account/signup/",
            f"Allow: {prefix}account/login/",
            f"Allow: {prefix}account/deleted/",
            f"Disallow: {prefix}account/",
            f"Allow: {prefix}privacy-requests/sent/",
            f"Allow: {prefix}privacy-requests/$",
            f"Disallow: {prefix}privacy-requests/",
        ]
    lines += [
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def sitemap(request):
    return sitemap_views.sitemap(request, SITEMAPS, template_name="content/sitemap.xml")
