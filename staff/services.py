"""Staff sign-in with two factors, and the roles that limit what each person sees (SEC-01)."""

import time
from dataclasses import dataclass

import django_otp
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import record_event
from staff.roles import EVERYTHING, ROLES, Role

# Session keys. The first step (password) leaves only a pending sign-in: the user is not logged
# in, so nothing that checks request.user lets them through, until the second factor is given.
PENDING_SIGN_IN = "staff_pending_sign_in"
SIGNED_IN_AT = "staff_signed_in_at"


@dataclass(frozen=True)
class PendingSignIn:
    user: object
    next_url: str


def start_sign_in(*, request, user, next_url: str) -> None:
    """Remember that `user` gave the right password; the second factor must follow in minutes."""
    request.session.cycle_key()  # a new session id once the password is known (fixation)
    request.session[PENDING_SIGN_IN] = {
        "user_id": user.pk,
        "auth_hash": user.get_session_auth_hash(),
        "backend": user.backend,
        "started_at": time.time(),
        "next": next_url,
    }


def get_pending_sign_in(*, request) -> PendingSignIn | None:
    """The pending sign-in of this session, or None when there is none, it is too old, or the
    password changed since (the hash of the password is part of it, as in Django's sessions)."""
    pending = request.session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("started_at", 0) > settings.STAFF_SIGN_IN_STEP_SECONDS:
        request.session.pop(PENDING_SIGN_IN, None)
        return None
    user = get_user_model().objects.filter(pk=pending.get("user_id"), is_active=True).first()
    if user is None or user.get_session_auth_hash() != pending.get("auth_hash"):
        request.session.pop(PENDING_SIGN_IN, None)
        return None
    user.backend = pending.get("backend")
    return PendingSignIn(user=user, next_url=pending.get("next", ""))


def confirmed_devices(*, user) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True))


def enrolment_device(*, user) -> TOTPDevice:
    """The device being set up for a user who has none yet: the same one on every reload, so a
    code scanned a minute ago still works; a new secret only when there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


def code_on_hold(*, user) -> bool:
    """True while every device of the user is holding back after wrong codes (django-otp's
    back-off: 1, 2, 4 ... seconds), so the person can be told to wait rather than "wrong"."""
    devices = confirmed_devices(user=user)
    return bool(devices) and not any(device.verify_is_allowed()[0] for device in devices)


def verify_code(*, user, token: str) -> TOTPDevice | None:
    """The confirmed device of `user` that accepts `token`, or None.

    Each device also slows down guessing itself (django-otp's exponential back-off), and a code
    is accepted once only.
    """
    for device in confirmed_devices(user=user):
        with transaction.atomic():
            locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(token):
                return locked
    return None


def confirm_enrolment(*, user, device: TOTPDevice, token: str) -> bool:
    """Confirm a new device with its first code; recorded in the audit log (Art. 32(1)(b))."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed or not device.verify_token(token):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event(
            actor=user.get_username(),
            action="create",
            object_type="otp_totp.TOTPDevice",
            object_id=device.pk,
            reason="two-factor device enrolled at sign-in",
        )
    return True


def complete_sign_in(*, request, user, device: TOTPDevice) -> None:
    """Log the user in, verified by `device`; the session lasts STAFF_SESSION_MAX_AGE_SECONDS."""
    login(request, user, backend=user.backend)  # cycles the session key again
    django_otp.login(request, device)
    request.session.pop(PENDING_SIGN_IN, None)
    request.session[SIGNED_IN_AT] = time.time()


def staff_session_is_valid(*, request) -> bool:
    """A staff session counts only when verified by a device and younger than the maximum age."""
    signed_in_at = request.session.get(SIGNED_IN_AT)
    return (
        request.user.is_verified()
        and isinstance(signed_in_at, int | float)
        and time.time() - signed_in_at <= settings.STAFF_SESSION_MAX_AGE_SECONDS
    )


def permissions_of(role: Role):
    """The permissions a role's grants name, as they exist now (new models included)."""
    condition = Q(pk__in=[])
    for target, actions in role.grants.items():
        if target == "*":
            scope = Q(pk__isnull=False)  # every permission (an empty Q would vanish in the OR)
        elif "." in target:
            app_label, model = target.lower().split(".", 1)
            scope = Q(content_type__app_label=app_label, content_type__model=model)
        else:
            scope = Q(content_type__app_label=target)
        if actions != EVERYTHING:
            scope &= Q(codename__regex=rf"^({'|'.join(actions)})_")
        condition |= scope
    return Permission.objects.filter(condition)


def sync_roles() -> dict[str, int]:
    """Create or update one group per role with exactly its permissions; safe to run again.

    Returns the number of permissions per group. Permissions granted to a group by hand are
    taken away: the roles in staff/roles.py are the one place where access is decided.
    """
    counts = {}
    with transaction.atomic():
        for role in ROLES:
            group, _ = Group.objects.get_or_create(name=role.group)
            permissions = list(permissions_of(role))
            group.permissions.set(permissions)
            counts[role.group] = len(permissions)
    return counts
