"""Portal links: single-use, expiring links that verify a request or let the person back in to
it (GDPR Art. 12(6); RIG-02). Only a hash of the token is stored; the link is sent, never shown.
A portal request whose link lapsed unused was never a request, and is deleted.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from rights.models import Request
from rights.selectors import lapsed_unverified_requests
from rights.services.steps import _absolute_url
from rights.tokens import hash_token, new_token


class LinkInvalid(Exception):
    """A portal link that is unknown, malformed or already used."""


class LinkExpired(LinkInvalid):
    """A portal link used after it expired."""


def _new_link(request: Request) -> str:
    """A fresh token for the request, replacing any earlier link; the caller saves the request."""
    token = new_token()
    request.verification_token_hash = hash_token(token)
    request.verification_expires_at = timezone.now() + datetime.timedelta(
        hours=settings.RIGHTS_VERIFICATION_HOURS
    )
    return token


def _link_url(token: str, language: str) -> str:
    with translation.override(language):
        return _absolute_url(reverse("rights:verify", kwargs={"token": token}))


def delete_lapsed_requests(*, now: datetime.datetime | None = None) -> int:
    """Delete portal requests whose verification link expired unused: they were never valid
    requests, and their address is not kept (Art. 5(1)(c),(e))."""
    with transaction.atomic():
        return lapsed_unverified_requests(now=now or timezone.now()).delete()[0]
