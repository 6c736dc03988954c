"""The consent endpoint (the banner posts here, with or without JavaScript) and gpc.json."""

import json
import logging
import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from consent import banner, receipts, selectors, services
from consent.csrf import require_same_origin
from consent.forms import InvalidDecision, parse_decision
from consent.state import COOKIE_NAME, Choices, ConsentCookie
from declaration.selectors import get_declaration
from wekst.ratelimit import client_ip

logger = logging.getLogger(__name__)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest) -> str:
    """Where the no-JavaScript form returns to: the page it was on, if that is on this site."""
    target = request.POST.get("next", "")
    if (
        0 < len(target) <= 2000
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return reverse("content:home")


def _problem(request: HttpRequest, status: int, message: str, fields=None) -> HttpResponse:
    if _wants_json(request):
        response = JsonResponse({"error": message, "fields": fields or {}}, status=status)
    else:
        context = {"message": message, "fields": fields or {}, "back": _back(request)}
        response = render(request, "consent/problem.html", context, status=status)
    add_never_cache_headers(response)
    return response


def _cross_site(request: HttpRequest) -> HttpResponse:
    logger.warning("Consent decision refused: not sent from a page of this site")
    return _problem(
        request,
        403,
        _("Your choice can only be made on a page of this site. Nothing was stored."),
    )


@csrf_exempt  # Protected without a cookie by require_same_origin instead: see consent/csrf.py.
@require_POST
@require_same_origin(refuse=_cross_site)
def decide(request: HttpRequest) -> HttpResponse:
    """Record a cookie decision; JSON for consent.js, a redirect back for the plain form."""
    may_be_recorded = services.decision_may_be_recorded(ip=client_ip(request))
    try:
        posted = parse_decision(request.POST)
    except InvalidDecision as invalid:
        posted = invalid
    previous = ConsentCookie.decode(request.COOKIES.get(COOKIE_NAME))
    if not may_be_recorded():
        logger.warning("Rate limit reached on the consent endpoint")
        return _problem(
            request,
            429,
            _("Too many choices in a short while. Please wait a few minutes and try again."),
        )
    if isinstance(posted, InvalidDecision):
        return _problem(
            request,
            400,
            _("Your choice was not understood, so nothing was stored."),
            posted.errors,
        )
    decision = services.record_consent(
        consent_id=previous.consent_id if previous else None,
        action=posted.action,
        chosen=posted.chosen,
        method=posted.method,
        gpc=selectors.gpc_signal(request) or posted.gpc,
        language=get_language(),
        ip=client_ip(request),
    )
    choices = Choices(
        analytics=decision.analytics, marketing=decision.marketing, embedded=decision.embedded
    )
    expires = selectors.expires_at(decision)
    if _wants_json(request):
        # Every value is already a str or a bool: the standard encoder, not JsonResponse's.
        body = {
            "consent_id": str(decision.consent_id),
            "state": choices.code,
            "choices": choices.as_dict(),
            "gpc": decision.gpc,
            "banner_version": decision.banner_version,
            "policy_version": decision.policy_version,
            "expires_at": expires.isoformat(),
            "receipt_url": banner.receipt_url(decision),
        }
        response = HttpResponse(json.dumps(body), content_type="application/json")
    else:
        response = HttpResponseRedirect(_back(request))
        response.status_code = 303
    cookie = ConsentCookie(decision.consent_id, choices, decision.banner_version)
    response.set_cookie(
        COOKIE_NAME,
        cookie.encode(),
        max_age=expires - decision.decided_at,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    _never_cache(response)
    return response


NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def _never_cache(response: HttpResponse) -> None:
    """What add_never_cache_headers adds to a response that has neither header (the decision's
    own), set at once rather than parsed and patched twice; the same headers
    (consent/tests/test_con_03_fast_lane.py)."""
    if response.has_header("Expires") or response.has_header("Cache-Control"):
        add_never_cache_headers(response)
        return
    response.headers["Expires"] = http_date()
    response.headers["Cache-Control"] = NEVER_CACHE


@require_safe
def gpc_support(request: HttpRequest) -> JsonResponse:
    """The GPC support resource (W3C Global Privacy Control): we honour the signal (CON-07)."""
    last_update = get_declaration().cookie_version.date.isoformat()
    return JsonResponse({"gpc": True, "lastUpdate": last_update})


def _no_receipt(request: HttpRequest) -> HttpResponse:
    message = _(
        "A receipt opens only in the browser that made the choice, with the link shown under "
        '"Cookie settings". Nothing was found for this address in this browser.'
    )
    if _wants_json(request):
        response = JsonResponse({"error": message}, status=404)
    else:
        response = render(request, "consent/no_receipt.html", {"message": message}, status=404)
    add_never_cache_headers(response)
    return response


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value is not None else None
    except ValueError:
        return None


@require_safe
def receipt(request: HttpRequest, consent_id: str, receipt_id: str | None = None) -> HttpResponse:
    """A decision's consent receipt as a JSON download (CK-09): the latest one without a
    receipt id. Only for the browser whose `wekst_consent` cookie holds that consent id; for
    anyone else, for a receipt id that is not one of its decisions, and for an id that is not
    one at all, the same 404."""
    wanted_receipt = _uuid(receipt_id)
    history = selectors.decisions_of_holder(
        consent_id=_uuid(consent_id),
        cookie=ConsentCookie.decode(request.COOKIES.get(COOKIE_NAME)),
    )
    if receipt_id is not None and wanted_receipt is None:
        history = []
    wanted = [d for d in history if wanted_receipt is None or d.public_id == wanted_receipt]
    if not wanted:
        return _no_receipt(request)
    decision = wanted[0]
    body = receipts.build_receipt(
        decision=decision, history=history, absolute=request.build_absolute_uri
    )
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 2})
    filename = f"consent-receipt-{decision.public_id}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response
