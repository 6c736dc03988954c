"""Ends any staff session that is not verified by a second factor, or is older than allowed."""

from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

from staff.services import staff_session_is_valid


class StaffSessionMiddleware:
    """After django-otp's OTPMiddleware. A staff user logged in by any other path (a public
    sign-in form, a forgotten test shortcut) is logged out here, so `is_staff` checks anywhere,
    not only the admin site's, imply two factors. Sessions end after STAFF_SESSION_MAX_AGE_SECONDS
    however active (SEC-01), and at browser close (SESSION_EXPIRE_AT_BROWSER_CLOSE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.is_staff and not staff_session_is_valid(request=request):
            logout(request)
            request.user.otp_device = None
            request.user.is_verified = lambda: False
            messages.info(request, _("Your session has ended. Please sign in again."))
        return self.get_response(request)
