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
new for each response), a CSRF token or a session is neither served from nor stored in it. The
response headers (CSP, security headers, Vary, Content-Language) are made by the middleware
around it, and repeated as they were made (below). Off (0 seconds) outside production, so that a
template edit shows at once and tests see every change.

A first visit's page served from memory still cost about a third more than returning its bytes
from a view (bench/perf.py: 1.33× the floor "fixed-bytes"): the whole middleware stack ran, and
the URL was resolved, to make headers that are the same every time. So FirstVisitEarlyMiddleware,
placed near the top of the stack, keeps the headers the whole stack made for a page it served from
this cache, and answers the next such request with that page and those headers at once: the
same bytes and the same headers (security, CSP, Vary, Content-Language, X-Frame-Options), for a
fraction of the work. What it keys them by is everything such an answer depends on while its
conditions hold (see `sound_for_early_answers`).
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.exceptions import DisallowedHost, MiddlewareNotUsed
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

# Path, language, GPC -> (expiry on the monotonic clock, content, content type). One per process,
# shared by every handler in it; a few entries at most (the views times the languages).
PAGES: dict[tuple[str, str, bool], tuple[float, bytes, str]] = {}

# Path, GPC, HTTPS -> (the key and entry of PAGES a full-stack answer came from, that answer's
# headers). As few entries as PAGES has, times two schemes.
ANSWERS: dict[tuple[str, bool, bool], tuple[tuple, tuple[float, bytes, str], dict[str, str]]] = {}


@receiver(setting_changed)
def _forget_pages(*, setting: str, **kwargs) -> None:
    # A test that turns the cache on must not be answered with a page a test before it kept.
    if setting in ("WEKST_FIRST_VISIT_CACHE_SECONDS", "WEKST_FIRST_VISIT_CACHE_VIEWS"):
        PAGES.clear()
        ANSWERS.clear()


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
            request._first_visit_served = (key, cached)  # for FirstVisitEarlyMiddleware
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


def sound_for_early_answers() -> bool:
    """Whether the answer to a GET without cookies or query string for a cached page depends on
    nothing but its path, the GPC signal, the scheme and a valid Host, as ANSWERS assumes.

    The language: with i18n_patterns(prefix_default_language=False) LocaleMiddleware takes it
    from the path alone (an unprefixed path is LANGUAGE_CODE whatever Accept-Language says).
    CommonMiddleware would answer by the Host's www or the User-Agent if told to.
    """
    return (
        is_language_prefix_patterns_used(settings.ROOT_URLCONF) == (True, False)
        and not settings.PREPEND_WWW
        and not settings.DISALLOWED_USER_AGENTS
    )


def _early_key(request: HttpRequest) -> tuple[str, bool, bool] | None:
    """The key of ANSWERS for a first visit's GET; None for any other request."""
    meta = request.META
    if request.method != "GET" or meta.get("HTTP_COOKIE") or meta.get("QUERY_STRING"):
        return None
    return (request.path, meta.get("HTTP_SEC_GPC", "").strip() == "1", request.is_secure())


class FirstVisitEarlyMiddleware:
    """Answers a first visit whose page FirstVisitCacheMiddleware holds, before the rest of the
    stack, with the headers the whole stack made for that page the last time it served it.

    Above it, the request log, the body limit and the database's 503 page see it as before; a
    Host outside ALLOWED_HOSTS, a request with any Cookie header or a query string, a staff
    member (who has a session cookie), anything but a GET, and a page the cache does not hold
    (or holds anew since the headers were kept) take the whole stack.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        if not sound_for_early_answers():
            raise MiddlewareNotUsed("wekst.pagecache: the answer depends on more than its key")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.WEKST_FIRST_VISIT_CACHE_SECONDS:
            return self.get_response(request)
        key = _early_key(request)
        if key is None:
            return self.get_response(request)
        kept = ANSWERS.get(key)
        if kept is not None:
            page_key, page, headers = kept
            if PAGES.get(page_key) is page and page[0] > time.monotonic():
                try:
                    request.get_host()  # as CommonMiddleware: an unknown Host gets its 400
                except DisallowedHost:
                    return self.get_response(request)
                return HttpResponse(page[1], headers=headers)
        response = self.get_response(request)
        served = getattr(request, "_first_visit_served", None)
        if (
            served is not None
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
            and response.content == served[1][1]
        ):
            ANSWERS[key] = (*served, dict(response.items()))
        return response
