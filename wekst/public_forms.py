"""The one guard of every public form: the honeypot, the limits per client and per address, and
the one answer when a limit is reached (LEA-04, CK-15, SEC-03: spam protection with no third party).

Every form a visitor can send without an account uses it: the contact and information request
forms and each clinic's enquiry form (leads.views.form_page), the newsletter sign-up, the privacy
portal and its new-link button, and the comment, sign-up, sign-in and child-report forms of
content. The consent endpoint is not a form and keeps its own limit (consent.services).

It lives with the views, not in the services: what it decides is an answer over HTTP (a 429, a
decoy redirect for a bot) from what only the request holds (the client address, the raw POST
with the field no person fills in). A service is called only once the guard has let the
submission through, and keeps the business rule (what is stored, for whom, for how long), so it
can be called from the back office, a task or a test without pretending to be a browser.

The counting is wekst.ratelimit's: one cache round trip per limit, and a limit that is not
reached costs nothing else, because the contact form's POST is on the benchmarked path
(docs/benchmarks.md).
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wekst import ratelimit
from wekst.addresses import normalise_email

# A field no person sees or fills in (hidden from view and from screen readers); a bot that fills
# every input fills this one too. Its markup is templates/honeypot.html.
HONEYPOT_FIELD = "website"

TOO_MANY_MESSAGE = _(
    "You have sent this form too many times in a short while. Nothing was lost: what you "
    "typed is still below. Please wait a while and send it again."
)


class Verdict(enum.Enum):
    """What the guard made of one submission."""

    ACCEPTED = "accepted"
    # A bot filled the honeypot: it gets the answer a person would, and nothing is stored.
    BOT = "bot"
    # Over a limit: the form carries TOO_MANY_MESSAGE and the page answers 429 with what was typed.
    TOO_MANY = "too many"
    INVALID = "invalid"


@dataclass(frozen=True)
class PublicForm:
    """The protection of one public form.

    `name` names the form in the logs (never the person); `limits` is the prefix of its settings
    (`<limits>_RATE_LIMIT_PER_IP`, `_PER_ADDRESS`, `_WINDOW_SECONDS`), read at each submission;
    forms with the same `scope` share their counters (the contact, information request and
    clinic forms are one budget); `logger` is the view's, so the lines stay with their area.
    """

    name: str
    limits: str
    logger: logging.Logger
    scope: str = ""

    def _limit(self, kind: str) -> ratelimit.Limit:
        return ratelimit.Limit(
            getattr(settings, f"{self.limits}_RATE_LIMIT_PER_{kind}"),
            getattr(settings, f"{self.limits}_RATE_LIMIT_WINDOW_SECONDS"),
        )

    @property
    def minutes(self) -> int:
        """The window in whole minutes (at least one), for a page that names the wait."""
        return max(getattr(settings, f"{self.limits}_RATE_LIMIT_WINDOW_SECONDS") // 60, 1)

    def is_bot(self, request: HttpRequest) -> bool:
        """True when the honeypot is filled in; logged without what was typed."""
        if not request.POST.get(HONEYPOT_FIELD):
            return False
        self.logger.info("Honeypot filled on the %s; submission dropped", self.name)
        return True

    def client_may_submit(self, request: HttpRequest) -> bool:
        """Count one submission from the client address; False once over the limit."""
        scope = f"{self.scope or self.name}:ip"
        ip = ratelimit.client_ip(request)
        return ratelimit.hit(scope, ip, self._limit("IP"), now=time.time())

    def address_may_submit(self, address: str) -> bool:
        """Count one submission for this email address (or username), however it is typed;
        False once over the limit. Counted across client addresses: one inbox is not flooded
        from many."""
        scope = f"{self.scope or self.name}:address"
        address = normalise_email(address)
        return ratelimit.hit(scope, address, self._limit("ADDRESS"), now=time.time())

    def refuse(self, form: forms.Form) -> None:
        """Put the one message on the form, which the page shows again with a 429."""
        self.logger.warning("Rate limit reached on the %s", self.name)
        form.add_error(None, TOO_MANY_MESSAGE)

    def screen(
        self, request: HttpRequest, form: forms.Form, *, address_field: str | None = "email"
    ) -> Verdict:
        """The honeypot, then the client's limit (counting invalid submissions too), then the
        form's own checks, then the address's limit (only a valid address is counted, and not
        once the client is over its limit).

        Both limits are counted in one round trip to the store, after the form's checks: the
        answer is the same as counting the client's first, since a refused form is checked all
        the same to be shown again with its errors (add_error)."""
        if self.is_bot(request):
            return Verdict.BOT
        valid = form.is_valid()
        now = time.time()
        hits = [(f"{self.scope or self.name}:ip", ratelimit.client_ip(request), self._limit("IP"))]
        if valid and address_field:
            address = normalise_email(form.cleaned_data[address_field])
            hits.append((f"{self.scope or self.name}:address", address, self._limit("ADDRESS")))
        if ratelimit.hit_each(hits, now=now) is not None:
            self.refuse(form)
            return Verdict.TOO_MANY
        return Verdict.ACCEPTED if valid else Verdict.INVALID
