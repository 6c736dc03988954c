"""A sign-up for an address while something else changes that person's records (LEA-02), on
PostgreSQL, where the transactions really overlap (SQLite runs one writer at a time).

Found 8 Dec 2026: a second sign-up that had read the subscription before a confirmation committed
wrote "unconfirmed" over it (the person had been shown "confirmed" and their link was spent); a
person deleted meanwhile (their account, or a staff erasure) made the sign-up a 500.
"""

import re
import threading

import pytest
from django.db import connection, transaction

from content.services import delete_profile, register_user
from leads.tests.factories import make_lead
from mail.models import OutgoingEmail
from newsletter import services
from newsletter.models import Subscription
from newsletter.tests.factories import unconfirmed_subscription
from rights.services.erasure import erase_subject
from wekst.testing import at_once, until_a_lock_is_awaited

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite runs one writer at a time"
    ),
]
CONFIRM_TOKEN = re.compile(r"/newsletter/confirm/([A-Za-z0-9_-]+)/")


def sign_up(email: str) -> Subscription:
    return services.start_subscription(
        email=email,
        name="Kari Nordmann",
        source=services.SOURCE_NEWSLETTER_FORM,
        consent_wording="Yes, send me the Wekst newsletter.",
        language="en",
    )


def confirmation_token(email: str) -> str:
    body = OutgoingEmail.objects.filter(to_address=email).latest("pk").body_text
    return CONFIRM_TOKEN.search(body).group(1)


def test_lea_02_a_sign_up_never_writes_over_a_confirmation_committed_meanwhile():
    email = "kari@klinikk.example"
    sign_up(email)
    token = confirmation_token(email)
    confirmed, commit = threading.Event(), threading.Event()

    def confirm_and_hold():
        with transaction.atomic():
            services.confirm_subscription(token=token)
            confirmed.set()
            commit.wait(10)  # the confirmation's COMMIT, a moment later

    def sign_up_again():
        confirmed.wait(10)
        return sign_up(email)

    def release_once_the_sign_up_waits():
        until_a_lock_is_awaited()
        commit.set()

    results = at_once(confirm_and_hold, sign_up_again, release_once_the_sign_up_waits)

    assert not [r for r in results if isinstance(r, Exception)], results
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.CONFIRMED
    assert subscription.confirmed_at is not None


@pytest.mark.parametrize("deleted_by", ["account deletion", "staff erasure"])
def test_lea_02_a_sign_up_while_the_person_is_deleted_never_fails(deleted_by):
    failures = []
    for round_ in range(10):
        email = f"kari{round_}@klinikk.example"
        if deleted_by == "account deletion":
            profile = register_user(
                username=f"kari{round_}", email=email, password="a long and unusual passphrase"
            )

            def delete(profile=profile):
                delete_profile(profile=profile, delete_comments=True)
        else:
            subject = make_lead(email=email).subject

            def delete(subject=subject):
                erase_subject(subject=subject, actor="privacy-officer", reason="Art. 17")

        results = at_once(delete, lambda email=email: sign_up(email))
        failures += [r for r in results if isinstance(r, Exception)]

    assert failures == []


def test_lea_02_many_sign_ups_for_one_new_address_at_once_make_one_subscription():
    results = at_once(*[lambda: unconfirmed_subscription("ola@klinikk.example")] * 8)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Subscription.objects.count() == 1
