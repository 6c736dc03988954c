"""Reads about consent that the banner, the embeds, the endpoint and the admin share."""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from consent.models import ConsentDecision
from consent.state import COOKIE_NAME, Choices, ConsentCookie
from declaration.schema import Text
from declaration.selectors import get_declaration
from wekst.prepared import OneRowQuery, first_rows

# GA4's cookies (_ga, _ga_<id>) live 13 months, as the declaration says, not Google's default of
# two years. Sent as gtag's `cookie_expires`, in seconds.
GA_COOKIE_EXPIRES_SECONDS = 395 * 24 * 60 * 60

CATEGORIES = ("analytics", "marketing", "embedded")


def banner_version() -> str:
    """The version of the cookie part of the declaration: a choice made under another is void."""
    return get_declaration().cookie_version.version


def policy_version() -> str:
    return get_declaration().current.version


def gpc_signal(request: HttpRequest) -> bool:
    """True when the request carries a Global Privacy Control signal (exactly `Sec-GPC: 1`)."""
    # The header's META key, as request.headers reads it: asked on every page, and building
    # request.headers (every header's name converted) cost more than the rest of this (issue 23).
    return request.META.get("HTTP_SEC_GPC", "").strip() == "1"


def expires_at(decision: ConsentDecision) -> datetime.datetime:
    return decision.decided_at + datetime.timedelta(days=settings.CONSENT_MAX_AGE_DAYS)


# Asked on every page a visitor with a consent cookie opens: compiled once (wekst/prepared.py).
_LATEST_DECISION = OneRowQuery(
    ConsentDecision, lambda consent_id: ConsentDecision.objects.filter(consent_id=consent_id)
)


def latest_decision(consent_id: uuid.UUID) -> ConsentDecision | None:
    return _LATEST_DECISION.first(consent_id)


def current_decision(cookie: ConsentCookie | None) -> ConsentDecision | None:
    """The decision in force for this cookie, or None when the visitor must be asked (CON-08).

    A decision counts only while it is logged, younger than CONSENT_MAX_AGE_DAYS, and made under
    the current banner version (a change of the declaration's cookies asks again). The logged
    decision wins over what the cookie says, so an edited cookie grants nothing.
    """
    version = banner_version()
    if not _cookie_of_this_banner(cookie, version):
        return None
    return _in_force(latest_decision(cookie.consent_id), version)


def _cookie_of_this_banner(cookie: ConsentCookie | None, version: str) -> bool:
    return cookie is not None and cookie.banner_version == version


def _in_force(decision: ConsentDecision | None, version: str) -> ConsentDecision | None:
    if decision is None or decision.banner_version != version:
        return None
    if expires_at(decision) <= timezone.now():
        return None
    return decision


@dataclass(frozen=True)
class VisitorConsent:
    """What this request may do: `choices` is None while the visitor has not (validly) chosen."""

    cookie: ConsentCookie | None
    decision: ConsentDecision | None
    gpc: bool

    @property
    def choices(self) -> Choices | None:
        if self.decision is None:
            return None
        d = self.decision
        # A GPC signal refuses analytics and marketing even if an older choice allowed them.
        return Choices(
            analytics=d.analytics and not self.gpc,
            marketing=d.marketing and not self.gpc,
            embedded=d.embedded,
        )


# Where a request keeps its VisitorConsent once read.
_VISITOR_CONSENT = "_wekst_consent"


def visitor_consent(request: HttpRequest) -> VisitorConsent:
    """The visitor's consent for this request; looked up once per request."""
    cached = getattr(request, _VISITOR_CONSENT, None)
    if cached is None:
        cookie = ConsentCookie.decode(request.COOKIES.get(COOKIE_NAME))
        cached = _remember(request, cookie, current_decision(cookie))
    return cached


def first_with_visitor_consent(request: HttpRequest, query: OneRowQuery, value: Any) -> Any:
    """`query.first(value)`, with the visitor's consent (visitor_consent) read in the same round
    trip when it is still to be read: a page reads its own row and then, for its banner, embeds
    and guard, the visitor's logged decision; together they wait for the database once
    (wekst.prepared.first_rows; issue 23). The consent is the same as visitor_consent's."""
    if getattr(request, _VISITOR_CONSENT, None) is not None:
        return query.first(value)
    cookie = ConsentCookie.decode(request.COOKIES.get(COOKIE_NAME))
    version = banner_version()
    if not _cookie_of_this_banner(cookie, version):
        row, decision = query.first(value), None
    else:
        row, decision = first_rows((query, value), (_LATEST_DECISION, cookie.consent_id))
        decision = _in_force(decision, version)
    _remember(request, cookie, decision)
    return row


def _remember(
    request: HttpRequest, cookie: ConsentCookie | None, decision: ConsentDecision | None
) -> VisitorConsent:
    consent = VisitorConsent(cookie=cookie, decision=decision, gpc=gpc_signal(request))
    setattr(request, _VISITOR_CONSENT, consent)
    return consent


@dataclass(frozen=True)
class Category:
    """A cookie category as the banner shows it, from the declaration's cookies and purposes."""

    key: str
    providers: tuple[str, ...]
    purpose: Text | None


def categories() -> dict[str, Category]:
    """The non-necessary categories with their providers and purpose (checklist CK-05, CK-06)."""
    declaration = get_declaration()
    result = {}
    for key in CATEGORIES:
        cookies = declaration.cookies_in(key)
        providers = tuple(dict.fromkeys(cookie.provider for cookie in cookies))
        activity = declaration.activities.get(cookies[0].activity) if cookies else None
        result[key] = Category(
            key=key, providers=providers, purpose=activity.purpose if activity else None
        )
    return result


def decisions_of_holder(
    *, consent_id: uuid.UUID | None, cookie: ConsentCookie | None
) -> list[ConsentDecision]:
    """Every logged decision of `consent_id`, newest first, for the browser that holds it (CK-09).

    The `wekst_consent` cookie is the key: asked with another consent id than the cookie's, or
    with no cookie, the answer is empty (the view's 404), so an id seen elsewhere opens nothing.
    """
    if consent_id is None or cookie is None or cookie.consent_id != consent_id:
        return []
    return list(ConsentDecision.objects.filter(consent_id=consent_id))
