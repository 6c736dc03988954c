"""The busiest anonymous endpoint resolved early, past the middleware it does not use (issue 23).

consent.js posts each cookie decision to the consent endpoint: a JSON POST from a visitor who
has no session, no login and no CSRF cookie (the endpoint is protected by the browser's
Origin and Sec-Fetch-Site instead, consent/csrf.py). The full stack still read the session,
the user, the OTP device and the messages for it, resolved its URL behind a dozen patterns, and
asked the page cache: about a third of its instructions (docs/benchmarks.md, `bench/run perf`).

This middleware, placed before the security headers' middleware, sends a JSON POST to one of
FAST_VIEWS straight to its view through a chain of the same middleware classes as the full
stack keeps after it, minus SKIPPED: so the response gets exactly the same headers (security,
CSP, language, X-Frame-Options), the same Host validation (CommonMiddleware), the same language
from the path, and the middleware outside it (request log, body limit, the database's 503 page)
are unchanged. Any other request, and the plain no-JavaScript form of the same endpoint (which
renders HTML with the full context), takes the full stack.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.module_loading import import_string

# Views that use neither the session, the user, messages, a CSRF token (they are csrf_exempt
# and protected otherwise) nor the page cache. A view added here must be all of that.
FAST_VIEWS = ("consent:decide",)

# What the views above do not use: skipped on their fast lane only.
SKIPPED = {
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "staff.middleware.StaffSessionMiddleware",
    "wekst.pagecache.FirstVisitCacheMiddleware",
}
NAME = "wekst.fastlane.FastLaneMiddleware"


def fast_paths() -> dict[str, tuple[Callable, str]]:
    """Each path of FAST_VIEWS in every language -> (its view, its URL name)."""
    paths = {}
    for name in FAST_VIEWS:
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                path = reverse(name)
                try:
                    match = resolve(path)
                except Resolver404:  # pragma: no cover - reverse() found it
                    continue
            paths[path] = (match.func, name)
    return paths


class FastLaneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        after = settings.MIDDLEWARE[settings.MIDDLEWARE.index(NAME) + 1 :]
        kept = [import_string(path) for path in after if path not in SKIPPED]
        # A view's error meets the process_exception hooks of the whole stack, as it would
        # (e.g. the database's 503 page, wekst/unavailable.py), innermost first.
        self.exception_hooks = [
            import_string(path)(get_response).process_exception
            for path in reversed(settings.MIDDLEWARE)
            if path != NAME and hasattr(import_string(path), "process_exception")
        ]
        handler = convert_exception_to_response(self._view)
        for middleware in reversed(kept):
            handler = convert_exception_to_response(middleware(handler))
        self.lane = handler
        self.paths: dict[str, tuple[Callable, str]] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and "application/json" in request.headers.get("Accept", ""):
            if self.paths is None:
                self.paths = fast_paths()
            if request.path_info in self.paths:
                return self.lane(request)
        return self.get_response(request)

    def _view(self, request: HttpRequest) -> HttpResponse:
        view, _name = self.paths[request.path_info]
        try:
            return view(request)
        except Exception as error:
            for hook in self.exception_hooks:
                response = hook(request, error)
                if response is not None:
                    return response
            raise
