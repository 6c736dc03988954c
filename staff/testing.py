"""Signing staff in for tests with both factors, the way the sign-in pages leave a session.

Tests use the root conftest's `staff_client`, `admin_client`, `sales_client` and
`privacy_officer_client`, or `sign_in_verified(client, user)` for a user of their own.
"""

import time

import django_otp
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.services import SIGNED_IN_AT


def sign_in_verified(client, user) -> TOTPDevice:
    """Log `user` into the test client, verified by a (new) confirmed TOTP device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    request = HttpRequest()
    request.session, request.user = session, user
    django_otp.login(request, device)
    session[SIGNED_IN_AT] = time.time()
    session.save()
    return device
