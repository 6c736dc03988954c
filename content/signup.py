"""Account sign-up that says nothing about who has an account (USR-01, SEC-03; issue 19).

A sign-up answers the same whether the address is free or taken: the same redirect to the same
"check your inbox" page, after the same work (a password hash and one queued email). What differs
goes to the inbox, where only the address's owner reads it: for a free address a link that
creates the account, for a taken one a note that an account exists (sign in, or reset). The
portal and the newsletter do the same.

Nothing is stored before the link is followed but the queued email (kept as the declared email
copy): the link carries what was typed, signed with the secret key and valid for
CONTENT_SIGNUP_LINK_HOURS. The password travels in it as its salted hash (the slow production
hasher), never as typed; the trade-off against a table of pending sign-ups, with its own
retention and declaration, is that whoever reads the owner's inbox within the link's life could
create the account, which they could anyway by following it.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from content.models import Profile
from content.selectors import account_with_address
from content.services import register_user
from mail.services import queue_email
from subjects.selectors import find_subjects

SALT = "content.signup"
ACTIVITY = "comments"  # registration is part of the declared activity "comments" (policy §7)


class LinkInvalid(Exception):
    """A sign-up link that was altered, expired, or already used."""


def _absolute_url(path: str) -> str:
    return f"{settings.WEKST_SITE_URL}{path}"


def start_sign_up(*, username: str, email: str, password: str, name: str) -> None:
    """Email the address a link that creates the account, or, when the address already has an
    account, a note saying so. The caller answers the same either way.

    Raises ValidationError (code "username") for a username already taken: a username is chosen,
    not a fact about a person, and saying it is taken is how anyone picks another.
    """
    user_model = get_user_model()
    email = email.strip()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            _("This username is already taken; please choose another."), code="username"
        )
    # Hashed whether or not it is used: the slow hash is most of the time either answer takes.
    password_hash = make_password(password)
    owner = account_with_address(email=email)
    language = translation.get_language()
    with transaction.atomic():
        if owner is not None:
            _queue(
                to=owner.email,
                template="content/email/signup_taken.txt",
                subject_line=_("Someone tried to register with your address"),
                context={
                    "username": owner.get_username(),
                    "login_url": _absolute_url(reverse("content:login")),
                },
                language=language,
            )
            return
        token = signing.dumps(
            {
                "u": username,
                "e": email,
                "p": password_hash,
                "n": name,
                "a": timezone.now().isoformat(),
            },
            salt=SALT,
            compress=True,
        )
        _queue(
            to=email,
            template="content/email/signup_confirm.txt",
            subject_line=_("Confirm your new Wekst account"),
            context={
                "confirm_url": _absolute_url(
                    reverse("content:signup_confirm", kwargs={"token": token})
                ),
                "hours": settings.CONTENT_SIGNUP_LINK_HOURS,
            },
            language=language,
        )


def _queue(*, to: str, template: str, subject_line: str, context: dict, language: str) -> None:
    with translation.override(language):
        body = render_to_string(template, context)
    queue_email(
        to=to,
        subject_line=subject_line,
        body=body,
        purpose=ACTIVITY,
        subject=find_subjects(email=to).first(),
    )


def confirm_sign_up(*, token: str) -> Profile:
    """Create the account a sign-up link carries; raises LinkInvalid for an altered, expired or
    used link (the username or address taken since, or by this very link)."""
    try:
        data = signing.loads(
            token, salt=SALT, max_age=datetime.timedelta(hours=settings.CONTENT_SIGNUP_LINK_HOURS)
        )
    except signing.BadSignature as error:  # SignatureExpired is one
        raise LinkInvalid from error
    try:
        return register_user(
            username=data["u"],
            email=data["e"],
            password_hash=data["p"],
            name=data["n"],
            age_confirmed_at=datetime.datetime.fromisoformat(data["a"]),
        )
    except ValidationError as error:
        raise LinkInvalid from error
