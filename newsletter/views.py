"""Newsletter pages: sign-up, "check your inbox", confirmation link, unsubscribe link."""

import logging

from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from newsletter import services
from newsletter.forms import CONSENT_WORDING, SignupForm
from newsletter.selectors import (
    LinkState,
    confirmation_link_state,
    get_subscription_by_unsubscribe_token,
)
from wekst.public_forms import HONEYPOT_FIELD, PublicForm, Verdict

logger = logging.getLogger(__name__)


SIGNUP_FORM = PublicForm(
    name="newsletter sign-up", limits="NEWSLETTER", scope="newsletter-signup", logger=logger
)


def _render_signup(request, form, status: int = 200):
    context = {"form": form, "honeypot_field": HONEYPOT_FIELD}
    return render(request, "newsletter/signup.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """The sign-up form. Known and unknown addresses get the same answer (LEA-02, RIG-02)."""
    if request.method != "POST":
        return _render_signup(request, SignupForm())
    form = SignupForm(request.POST)
    verdict = SIGNUP_FORM.screen(request, form)
    if verdict is Verdict.TOO_MANY:
        # The sign-up's own page for a refusal, which names the wait.
        context = {"minutes": SIGNUP_FORM.minutes}
        return render(request, "newsletter/rate_limited.html", context, status=429)
    if verdict is not Verdict.ACCEPTED:
        # A filled honeypot is refused like any other error, with the form's own message: a
        # person whose browser filled the hidden field in is told how to send it anyway.
        return _render_signup(request, form, status=400)
    email = form.cleaned_data["email"]
    services.start_subscription(
        email=email,
        name=form.cleaned_data["name"],
        source=services.SOURCE_NEWSLETTER_FORM,
        consent_wording=str(CONSENT_WORDING),
        language=get_language(),
    )
    return redirect("newsletter:check_inbox")


@require_safe
def check_inbox(request):
    return render(request, "newsletter/check_inbox.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """GET shows a button; only the POST confirms, because mail scanners fetch links."""
    if request.method == "POST":
        try:
            services.confirm_subscription(token=token)
        except services.LinkExpired:
            return _link_refused(request, LinkState.EXPIRED)
        except services.LinkInvalid:
            return _link_refused(request, LinkState.INVALID)
        return render(request, "newsletter/confirmed.html")
    state = confirmation_link_state(token=token)
    if state is not LinkState.VALID:
        return _link_refused(request, state)
    return render(request, "newsletter/confirm.html")


def _link_refused(request, state: LinkState):
    status = 410 if state is LinkState.EXPIRED else 404
    return render(
        request, "newsletter/link_refused.html", {"expired": status == 410}, status=status
    )


@csrf_exempt  # RFC 8058 one-click: the opaque token is the authentication, no cookies are sent
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """POST unsubscribes in one step and answers 200 (RFC 8058 §3.2, no redirect); idempotent.

    GET only shows a page with a button, so a link scanner never unsubscribes anyone.
    """
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(request, "newsletter/unsubscribed.html")
    if get_subscription_by_unsubscribe_token(token=token) is None:
        return render(request, "newsletter/unsubscribe_unknown.html", status=404)
    return render(request, "newsletter/unsubscribe.html")
