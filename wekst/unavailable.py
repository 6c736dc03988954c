"""When the database goes away: a clear 503 page that keeps what the visitor typed, never a trace.

Every service writes in one transaction, so a connection lost half way through a submission
rolls the whole change back (no lead without its staff email, no email without its lead); what
is left to do is to tell the visitor that nothing was saved and let them send the same thing
again without typing it anew (the style guide: bad input or a failure loses nothing already
given). The page carries their input back in hidden fields under a "Send again" button, and
shows it, so that it can also be copied. Passwords are never echoed back, and files must be
chosen again.

DatabaseUnavailableMiddleware answers for errors raised in views (the usual place: a query);
`server_error` is the project's handler500, for an error raised by a middleware instead (a
session read), which Django turns into a 500 before any middleware sees it.
"""

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# A visitor is asked to try again after this many seconds (the Retry-After header).
RETRY_AFTER_SECONDS = 30
# Fields never sent back to the browser: secrets, and Django's token (a fresh one is added).
NOT_ECHOED = ("password", "csrfmiddlewaretoken", "otp_token", "token")
# How the usual fields are named on the page (the forms' own labels); others by their name.
LABELS = {
    "name": _lazy("Name"),
    "email": _lazy("Email address"),
    "phone": _lazy("Phone"),
    "company": _lazy("Company or clinic"),
    "role": _lazy("Your role"),
    "message": _lazy("Message"),
    "text": _lazy("Comment"),
    "username": _lazy("Username"),
    "details": _lazy("Details"),
}


def _kept_fields(request: HttpRequest) -> list[tuple[str, str]]:
    if request.method != "POST":
        return []
    return [
        (name, value)
        for name, values in request.POST.lists()
        if not any(secret in name.lower() for secret in NOT_ECHOED)
        for value in values
    ]


def _label(name: str) -> str:
    return str(LABELS.get(name, name.replace("_", " ").capitalize()))


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON for a script, otherwise a page that offers to send the input again."""
    message = _(
        "Our database is not answering right now, so nothing you sent was saved. "
        "Please try again in a minute."
    )
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"error": message}, status=503)
    else:
        fields = _kept_fields(request)
        context = {
            "message": message,
            "fields": fields,
            "shown": [(_label(name), value) for name, value in fields if value],
            "files_lost": bool(request.method == "POST" and request.FILES),
            "action": request.get_full_path(),
            "csrf_token": get_token(request) if fields else "",
        }
        # No request context: the context processors would read the session and the user, that
        # is the database that just failed.
        response = HttpResponse(
            render_to_string("wekst/database_unavailable.html", context), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost or refused database connection in a view into the 503 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        # The details go to the server log (no personal data: the path, the error class and
        # the driver's message); the visitor gets the page.
        logger.error(
            "Database unavailable during %s %s", request.method, request.path, exc_info=exception
        )
        return database_unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the uncaught error was the database's, else Django's 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return database_unavailable_response(request)
    return defaults.server_error(request)
