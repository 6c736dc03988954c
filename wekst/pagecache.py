"""A short-lived, per-process copy of the pages a first visit gets (docs/benchmarks.md).

A visitor who arrives without any cookie (no session, no consent choice yet) gets exactly the
same home page as every other such visitor in the same language: nothing in it is personal.
Rendering it costs about 2.5 ms of template work (the consent banner alone has dozens of
translated strings), which capped the home page at a few hundred requests per second on two
cores; served from memory it costs what the middleware costs. So the views named in
WEKST_FIRST_VISIT_CACHE_VIEWS keep their rendered content for WEKST_FIRST_VISIT_CACHE_SECONDS,
in this process's memory, keyed by path, language and the Global Privacy Control signal (the
banner says when it honours one, CON-07).

It stays out of the way of anything personal or changing: a request with any cookie or a query
string, a response that is not a plain 200, sets a cookie, or used the CSP nonce (which must be
new for each response), a CSRF token or a session is neither served from nor stored in it. The response headers (CSP,
security headers, Vary, Content-Language) are still made per request by the middleware around
it. Off (0 seconds) outside production, so that a template edit shows at once and tests see
every change.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

# Path, language, GPC -> (expiry on the monotonic clock, content, content type). One per process,
# shared by every handler in it; a few entries at most (the views times the languages).
PAGES: dict[tuple[str, str, bool], tuple[float, bytes, str]] = {}


class FirstVisitCacheMiddleware:
    """Serves the first-visit pages of the configured views from this process's memory."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, "_first_visit_key", None)
        if key is not None and self._storable(request, response):
            expires = time.monotonic() + settings.WEKST_FIRST_VISIT_CACHE_SECONDS
            PAGES[key] = (expires, response.content, response["Content-Type"])
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.WEKST_FIRST_VISIT_CACHE_SECONDS or request.method != "GET":
            return None
        if request.COOKIES or request.META.get("QUERY_STRING"):
            return None
        match = request.resolver_match
        if match is None or match.view_name not in settings.WEKST_FIRST_VISIT_CACHE_VIEWS:
            return None
        key = (request.path, get_language(), request.headers.get("Sec-GPC", "").strip() == "1")
        cached = PAGES.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return HttpResponse(cached[1], content_type=cached[2])
        request._first_visit_key = key
        return None

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        nonce = getattr(request, "_csp_nonce", None)
        session = getattr(request, "session", None)
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Cache-Control")
            and not nonce  # a LazyNonce is true once it was used
            # A CSRF token or a session in the page would be someone else's on the next visit.
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not (session is not None and session.modified)
        )
