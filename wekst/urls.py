"""URLs: public pages in English (unprefixed) and Norwegian (/nb/); the back office at /admin/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from content import pages as content_pages
from content import views as content_views
from wekst import health, workbench_views

# A database error outside a view (a middleware reading the session) gets the 503 page too.
handler500 = "wekst.unavailable.server_error"
# A body over Django's upload limits: the 413 page, not a bare 400 (wekst/bodylimit.py).
handler400 = "wekst.bodylimit.bad_request"

# The order is part of each request's cost: a path is found by trying the patterns in order, and
# an include tried without holding the path costs several times a plain path (Django raises and
# catches an exception for it, more the more patterns it has). So the plain root-level paths
# come first, then the public pages with the busiest first, then the other includes, the back
# office as one (issue 23, docs/benchmarks.md). No path is taken by two of these entries, so
# their order changes what a path costs, never where it goes (wekst/tests/test_sec_05_url_order.py).
urlpatterns = [
    # For the proxy and monitoring: JSON, no personal data, never cached (wekst/health.py).
    path("health/", health.health, name="health"),
    path("health/web/", health.health_web, name="health-web"),  # the proxy's: deploy/Caddyfile
    path("favicon.ico", content_pages.favicon),
    path("robots.txt", content_pages.robots_txt),
    path("sitemap.xml", content_pages.sitemap, name="sitemap"),
]
urlpatterns += i18n_patterns(
    # The pages first: the home page is what every visitor asks for. The consent endpoint's
    # JSON POST never comes here (wekst/fastlane.py resolves it once per process); its plain
    # form and the enquiry forms' POSTs follow.
    path("", include("content.urls")),
    path("", include("consent.urls")),
    path("", include("leads.urls")),
    path("", include("declaration.urls")),
    path("", include("newsletter.urls")),
    path("", include("rights.urls")),
    path("", include("processors.public_urls")),
    path("", include("clinics.urls")),
    prefix_default_language=False,
)
urlpatterns += [
    path(
        "admin/",
        include(
            [
                # The workbench is the back office's front page (wekst/workbench.py); before
                # the admin's own index, which it renders with the workbench on top.
                path("", workbench_views.workbench_index, name="workbench"),
                path("", include("declaration.admin_urls")),
                path("", include("consent.admin_urls")),
                path("", include("processors.admin_urls")),
                path("", include("clinics.admin_urls")),
                path("", include("marketing.admin_urls")),
                path("", include("wekst.evidence.urls")),
                path("", admin.site.urls),
            ]
        ),
    ),
    path("", include("processors.urls")),
    path("", include("consent.well_known_urls")),
]
if settings.WEKST_SERVE_MEDIA:
    # Uploaded images (already stripped of metadata, content.images); in production the web
    # server serves MEDIA_ROOT instead.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$",
            content_views.serve_media,
        )
    ]
