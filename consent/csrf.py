"""Cross-site request forgery protection for the consent endpoint, without a cookie.

Django's CSRF token needs a `csrftoken` cookie set when the form is shown. The banner's form is on
every page, so that cookie would be set on every first visit, before any choice; the site
promises that a first visit sets no cookie at all (CON-01). A forged consent is refused here
instead by the browser's own word on where the request comes from: the Fetch Metadata header
`Sec-Fetch-Site`, or else the `Origin` header, which every current browser sends with a POST
(the approach of Go's `http.CrossOriginProtection`). Unlike Go, a POST with neither header is
refused too. See docs/consent.md.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

SAME_ORIGIN_SITES = {"same-origin", "none"}  # "none": typed by the user, e.g. a bookmark


def is_same_origin(request: HttpRequest) -> bool:
    """True when the browser says the request comes from a page of this site."""
    origin = request.headers.get("Origin")
    if origin is not None and origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in SAME_ORIGIN_SITES
    if origin is None or origin == "null":
        return False
    try:
        own = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return False
    return origin == own


def require_same_origin(
    refuse: Callable[[HttpRequest], HttpResponse],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorator: answer `refuse(request)` to a request that does not come from this site."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not is_same_origin(request):
                return refuse(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
