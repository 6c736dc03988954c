"""The sensitive-page guard: no third-party tag or embed on a health-related page (CON-10, CL-06).

A page view of a clinic's enquiry form, or of an article about a treatment, tells whoever runs a
tag on it something about the visitor's health: Datatilsynet fined health sites for tracking
pixels on 10 June 2025, and an inference from the pages someone visits can be special-category
data (CJEU C-252/21). Consent to analytics given on the home page is no Art. 9(2)(a) explicit
consent to that, so on such a page nothing of another company loads, whatever the visitor chose:

- the server renders no Google tag id and no embed frame (consent/templatetags/consent.py; an
  embed is a plain link), and tells consent.js that tracking is off here (`data-guard`);
- the Content Security Policy of the response allows this site only (the middleware below), so
  even markup injected into the page cannot make the browser contact another host.

Which pages: the declaration's `sensitive_pages.health_related` path patterns, and every page a
higher app says is one (content registers articles and pages staff marked health-related), read
through one selector, `is_health_related`. On every other page GA4 gets the address cleaned as
the declaration's `revealing` patterns say (`analytics_address_rules`, applied by consent.js).
"""

from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.utils.csp import CSP

from declaration.selectors import get_declaration

Decider = Callable[[HttpRequest], bool]
_DECIDERS: list[Decider] = []
_MEMO = "_wekst_health_related"


def register_health_related_page(decider: Decider) -> None:
    """A higher app's answer (its apps.py): whether a request is for a page it marks as
    health-related. Called once per request at most; it may query the database."""
    if decider not in _DECIDERS:
        _DECIDERS.append(decider)


def _language_prefixes() -> list[str]:
    # i18n_patterns(prefix_default_language=False): /nb/… for Norwegian, no prefix for English.
    return [f"/{code}" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def path_without_language(path: str) -> str:
    for prefix in _language_prefixes():
        if path == prefix or path.startswith(prefix + "/"):
            return path[len(prefix) :] or "/"
    return path


def _declared(request: HttpRequest) -> bool:
    pages = get_declaration().sensitive_pages
    return pages.is_health_related(path_without_language(request.path_info))


def is_health_related(*, request: HttpRequest) -> bool:
    """Whether this request's page is health-related: no third-party tag or embed (CON-10).

    Declared path patterns first, then each registered decider. A decider that cannot ask the
    database answers yes: the guard fails closed. Worked out once per request.
    """
    known = getattr(request, _MEMO, None)
    if known is not None:
        return known
    try:
        answer = _declared(request) or any(decide(request) for decide in _DECIDERS)
    except DatabaseError:
        answer = True
    setattr(request, _MEMO, answer)
    return answer


def analytics_address_rules() -> dict:
    """What consent.js needs to clean the address GA4 receives (CON-10): the declared revealing
    patterns, in every language's form, and the placeholder for the segments they mark."""
    pages = get_declaration().sensitive_pages
    patterns = [
        prefix + pattern for prefix in ["", *_language_prefixes()] for pattern in pages.revealing
    ]
    return {"patterns": patterns, "placeholder": pages.placeholder}


def first_party_policy(policy: dict) -> dict:
    """The Content Security Policy with every other host taken out: a directive left without a
    source allows nothing ('none'), never everything."""
    guarded = {}
    for directive, sources in policy.items():
        own = [s for s in sources if not str(s).startswith(("https:", "http:", "*", "wss:"))]
        guarded[directive] = own or [CSP.NONE]
    return guarded


class GuardedContentSecurityPolicyMiddleware(ContentSecurityPolicyMiddleware):
    """Django's CSP middleware (SEC-03), with this site alone allowed on health-related pages.

    It reads the answer the page worked out while it was rendered (the banner asks for it), so a
    page served whole from the first-visit cache costs no query: a health-related page is never
    kept there (consent_banner uses the nonce, and wekst/pagecache.py keeps no such page), and
    without a rendering only the declared path patterns are asked.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        guarded = getattr(request, _MEMO, None)
        if guarded is None:
            guarded = _declared(request)
        if guarded:
            policy = getattr(response, "_csp_config", settings.SECURE_CSP)
            if policy:
                response._csp_config = first_party_policy(policy)
        return super().process_response(request, response)
