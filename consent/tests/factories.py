"""Test data for the consent tests."""

import uuid

from consent import selectors
from consent.models import ConsentDecision
from consent.state import COOKIE_NAME, Choices, ConsentCookie


def make_decision(**fields) -> ConsentDecision:
    values = {
        "consent_id": uuid.uuid4(),
        "action": ConsentDecision.Action.ACCEPT_ALL,
        "method": ConsentDecision.Method.BANNER,
        "analytics": True,
        "marketing": True,
        "embedded": True,
        "gpc": False,
        "banner_version": selectors.banner_version(),
        "policy_version": selectors.policy_version(),
        "language": "en",
        "truncated_ip": "192.0.2.0",
    }
    values.update(fields)
    return ConsentDecision.objects.create(**values)


def give_cookie(client, decision: ConsentDecision, banner_version: str | None = None) -> None:
    """Put the `wekst_consent` cookie a browser holds after `decision` into the test client."""
    choices = Choices(decision.analytics, decision.marketing, decision.embedded)
    cookie = ConsentCookie(decision.consent_id, choices, banner_version or decision.banner_version)
    client.cookies[COOKIE_NAME] = cookie.encode()
