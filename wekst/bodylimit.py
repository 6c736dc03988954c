"""Bodies too large for the site: a clear 413 page, refused before they are read.

Two limits. A Content-Length over WEKST_MAX_BODY_BYTES (the largest image upload and a margin for
the rest of the form) is refused by BodyLimitMiddleware before anything reads the body. Below it,
Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE for a form's fields, which leaves uploaded files
out, and DATA_UPLOAD_MAX_NUMBER_FIELDS) raise RequestDataTooBig or TooManyFieldsSent, which
Django answers 400 through handler400: `bad_request` answers 413 with the same page instead.

Why the body is drained afterwards (issue 19): an answer given before the body was read (the CSRF
check refuses a POST without its cookie; Django refuses a form by its Content-Length) left the
unread bytes on a keep-alive connection, and granian then closed that connection, at times
without a `Connection: close`, so the client's next request on it got no answer at all. The
middleware reads what is left of a body it let through (at most WEKST_MAX_BODY_BYTES, a bound it
already checked), and a body it refused unread is answered with `Connection: close`.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views import defaults

TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
CHUNK = 64 * 1024


def too_large_response(request: HttpRequest) -> HttpResponse:
    """The 413 page, in the language of the address (LocaleMiddleware may not have run yet)."""
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string(
            "wekst/request_too_large.html",
            {
                "LANGUAGE_CODE": language,
                "max_megabytes": max(settings.CONTENT_UPLOAD_MAX_BYTES // (1024 * 1024), 1),
            },
        )
    response = HttpResponse(body, status=413)
    add_never_cache_headers(response)
    return response


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _drain(request: HttpRequest) -> None:
    stream = getattr(request, "_stream", None)
    if stream is None:
        return
    try:
        while stream.read(CHUNK):
            pass
    except OSError:  # the client went away: nothing left to keep the connection for
        pass


class BodyLimitMiddleware:
    """First in the stack: refuses a declared body over the limit unread, and reads what is
    left of any other body once the answer is made, so that the connection can carry the next."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _content_length(request)
        if length > settings.WEKST_MAX_BODY_BYTES:
            response = too_large_response(request)
            response["Connection"] = "close"  # the body is never read: this connection ends
            return response
        response = self.get_response(request)
        if length:
            _drain(request)
        return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a body over Django's limits gets the 413 page; anything else Django's 400."""
    if isinstance(exception, TOO_LARGE):
        return too_large_response(request)
    return defaults.bad_request(request, exception)
