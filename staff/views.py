"""The staff sign-in pages: password, then the code (or, the first time, setting up the app).

Thin: the lock-out is in staff.lockout, the sign-in state in staff.services.
"""

import base64
import functools
import logging
import time
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from staff import lockout, services
from staff.forms import CodeForm, PasswordForm
from wekst.ratelimit import StoreUnavailable, client_ip

logger = logging.getLogger(__name__)


def _next_url(request, site, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index", current_app=site.name)


def _context(request, site, **extra) -> dict:
    return {**site.each_context(request), "app_path": request.get_full_path(), **extra}


def _locked_for(request, username: str) -> float | None:
    now = time.time()
    until = lockout.locked_until(username=username, ip=client_ip(request), now=now)
    return until - now if until else None


def _count_failure(request, username: str) -> None:
    if lockout.record_failure(username=username, ip=client_ip(request), now=time.time()):
        # Neither the username nor the address goes to the log: the keys are hashed in the cache.
        logger.warning("Staff sign-in locked out after repeated failures")


def _fails_closed(view):
    """Without the shared store the lock-out cannot count, so no password or code is checked:
    a 503 page that says sign-in is unavailable for a moment (docs/security.md)."""

    @functools.wraps(view)
    def wrapper(request, *, site):
        try:
            return view(request, site=site)
        except StoreUnavailable:
            logger.error("Staff sign-in refused: the shared store (REDIS_URL) is unavailable")
            context = _context(request, site, title=_("Sign-in is unavailable"))
            request.current_app = site.name
            response = TemplateResponse(
                request, "staff/sign_in_unavailable.html", context, status=503
            )
            response["Retry-After"] = "30"
            return response

    return wrapper


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@_fails_closed
def sign_in(request, *, site):
    """Step 1: username and password. Success leaves a pending sign-in, not a logged-in user."""
    next_url = _next_url(
        request,
        site,
        request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, ""),
    )
    if request.method == "GET" and site.has_permission(request):
        return redirect(next_url)
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        form = PasswordForm(request, data=request.POST, locked_for=_locked_for(request, username))
        if form.is_valid():
            services.start_sign_in(request=request, user=form.get_user(), next_url=next_url)
            return redirect("admin:two_factor")
        if form.locked_for:
            status = 429
        else:
            _count_failure(request, username)
    else:
        form = PasswordForm(request)
    context = _context(
        request,
        site,
        form=form,
        title=_("Log in"),
        subtitle=None,
        **{REDIRECT_FIELD_NAME: next_url},
    )
    request.current_app = site.name
    return TemplateResponse(request, "admin/login.html", context, status=status)


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
@_fails_closed
def two_factor(request, *, site):
    """Step 2: the code from the authenticator app; a user with no device is sent to set one up."""
    pending = services.get_pending_sign_in(request=request)
    if pending is None:
        return redirect("admin:login")
    if not services.confirmed_devices(user=pending.user):
        return redirect("admin:two_factor_enrol")
    username = pending.user.get_username()
    status = 200
    if request.method == "POST":
        form = CodeForm(request.POST, locked_for=_locked_for(request, username))
        if form.is_valid():
            on_hold = services.code_on_hold(user=pending.user)
            device = services.verify_code(user=pending.user, token=form.cleaned_data["token"])
            if device is not None:
                services.complete_sign_in(request=request, user=pending.user, device=device)
                return redirect(_next_url(request, site, pending.next_url))
            form.add_error(
                "token",
                _("Too many wrong codes just now: please wait a few seconds and try again.")
                if on_hold
                else _("That code is not right, or was used already. Please try the next one."),
            )
        if form.locked_for:
            status = 429
        else:
            _count_failure(request, username)
            status = 400
    else:
        form = CodeForm()
    context = _context(request, site, form=form, title=_("Two-factor sign-in"), username=username)
    request.current_app = site.name
    return TemplateResponse(request, "staff/two_factor.html", context, status=status)


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
@_fails_closed
def enrol(request, *, site):
    """First sign-in: set up an authenticator app (QR code, or the key typed in), then confirm it
    with a first code. Nothing else of the back office opens before that."""
    pending = services.get_pending_sign_in(request=request)
    if pending is None:
        return redirect("admin:login")
    if services.confirmed_devices(user=pending.user):
        return redirect("admin:two_factor")
    username = pending.user.get_username()
    device = services.enrolment_device(user=pending.user)
    status = 200
    if request.method == "POST":
        form = CodeForm(request.POST, locked_for=_locked_for(request, username))
        if form.is_valid():
            if services.confirm_enrolment(
                user=pending.user, device=device, token=form.cleaned_data["token"]
            ):
                device.refresh_from_db()
                services.complete_sign_in(request=request, user=pending.user, device=device)
                return redirect(_next_url(request, site, pending.next_url))
            form.add_error(
                "token", _("That code is not right. Check the app and try the next one.")
            )
        if form.locked_for:
            status = 429
        else:
            _count_failure(request, username)
            status = 400
    else:
        form = CodeForm()
    context = _context(
        request,
        site,
        form=form,
        title=_("Set up two-factor sign-in"),
        username=username,
        otpauth_uri=device.config_url,
        secret=base64.b32encode(unhexlify(device.key)).decode(),
        qr_svg=_qr_svg(device.config_url),
    )
    request.current_app = site.name
    return TemplateResponse(request, "staff/enrol.html", context, status=status)


def _qr_svg(data: str) -> str:
    """An inline SVG QR code (no image request, no script: allowed by the page's CSP)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage)
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308 - generated here, no input
