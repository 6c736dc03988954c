"""Accounts and comments while something else changes the same person's records (USR-01,
COM-01), on PostgreSQL, where the transactions really overlap (SQLite runs one writer at a time).

Found 8 Dec 2026: two sign-up links for one address opened at the same moment each found the
address free and made an account; a comment posted while the person's account was being deleted
pointed at a person no longer there (a 500).
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from content import signup
from content.models import Comment
from content.services import delete_profile, post_comment, register_user
from content.tests.factories import make_article
from mail.models import OutgoingEmail
from rights.services.erasure import carry_out_erasure
from rights.services.opening import open_request
from wekst.testing import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite runs one writer at a time"
    ),
]
SIGN_UP_TOKEN = re.compile(r"/account/signup/confirm/([^/\s]+)/")
PASSWORD = "a long and unusual passphrase"


def test_usr_01_two_sign_up_links_for_one_address_opened_at_once_make_one_account():
    for round_ in range(5):
        email = f"kari{round_}@klinikk.example"
        # Kari signed up twice (a typo in the first username) before opening either email.
        for username in (f"kari_n{round_}", f"karin{round_}"):
            signup.start_sign_up(username=username, email=email, password=PASSWORD, name="Kari")
        first, second = (
            SIGN_UP_TOKEN.search(message.body_text).group(1)
            for message in OutgoingEmail.objects.filter(to_address=email).order_by("pk")
        )

        results = at_once(
            lambda first=first: signup.confirm_sign_up(token=first),
            lambda second=second: signup.confirm_sign_up(token=second),
        )

        refused = [r for r in results if isinstance(r, Exception)]
        assert [type(r) for r in refused] == [signup.LinkInvalid], results
        assert get_user_model().objects.filter(email__iexact=email).count() == 1


def test_com_01_a_comment_posted_while_the_account_is_deleted_is_kept():
    article = make_article()
    for round_ in range(10):
        email = f"ola{round_}@klinikk.example"
        profile = register_user(username=f"ola{round_}", email=email, password=PASSWORD)

        results = at_once(
            lambda profile=profile: delete_profile(profile=profile, delete_comments=True),
            lambda email=email: post_comment(
                article=article,
                name="Ola",
                email=email,
                text="Thank you for the article.",
                ip_address="192.0.2.1",
                user_agent="Firefox",
                language="en",
            ),
        )

        assert not [r for r in results if isinstance(r, Exception)], results
        assert Comment.objects.filter(subject__email=email).exists()


def test_usr_01_an_account_deleted_while_staff_erase_the_person_leaves_no_error():
    failures = []
    for round_ in range(10):
        email = f"per{round_}@klinikk.example"
        profile = register_user(username=f"per{round_}", email=email, password=PASSWORD)
        post_comment(
            article=make_article(slug=f"article-{round_}"),
            name="Per",
            email=email,
            text="A question about the article.",
            ip_address="192.0.2.1",
            user_agent="Firefox",
            language="en",
            profile=profile,
        )

        erasure = open_request(
            kind="erasure", email=email, received_via="email", identity_check="called back",
            actor="privacy-officer",
        )  # fmt: skip

        results = at_once(
            lambda profile=profile: delete_profile(profile=profile, delete_comments=True),
            lambda erasure=erasure: carry_out_erasure(request_id=erasure.pk, actor="po"),
        )

        failures += [r for r in results if isinstance(r, Exception)]
        assert not get_user_model().objects.filter(email__iexact=email).exists()
    assert failures == []
