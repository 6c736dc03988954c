"""One account per address, read as the subject index reads addresses (USR-01).

The index holds "İna@example.no" and "ina@example.no" as one person (wekst.addresses.normalise_email:
"İ" is "i"); the database's case-insensitive match does not, so a second account could take an
address of the first one's person and be joined to it: that person's access report then showed
the other account, and their erasure deleted it.
"""

import re

import pytest
from django.contrib.auth import get_user_model

from content.models import Profile
from content.tests.factories import make_profile
from mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db
PASSWORD = "a long and unusual passphrase"
VARIANT = "İna@example.no"  # "İ" (U+0130): the index reads it as "ina@example.no"


def test_usr_01_a_profile_cannot_take_another_accounts_address_spelt_with_a_dotted_capital_i(
    client,
):
    ina = make_profile(username="ina", email="ina@example.no")
    ola = make_profile(username="ola", email="ola@example.no")
    client.force_login(ola.user)

    response = client.post("/nb/account/profile/", {"name": "Ola", "email": VARIANT, "bio": ""})

    assert response.status_code == 400
    assert "Denne e-postadressen kan ikke brukes til denne kontoen." in response.text
    ola.refresh_from_db()
    ola.user.refresh_from_db()
    assert ola.user.email == "ola@example.no"
    assert ola.subject_id != ina.subject_id


def test_usr_01_a_sign_up_with_an_accounts_address_spelt_with_a_dotted_capital_i_makes_none(
    client,
):
    make_profile(username="ina", email="ina@example.no")
    data = {
        "username": "ina2",
        "email": VARIANT,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "name": "Ina",
        "age_confirmed": "on",
    }

    response = client.post("/account/signup/", data)

    # The same answer as for any address; the account's owner is told, and no link is sent.
    assert response.status_code == 302
    [email] = OutgoingEmail.objects.all()
    assert email.to_address == "ina@example.no"
    assert not re.search(r"/signup/confirm/", email.body_text)
    assert get_user_model().objects.filter(username="ina2").count() == 0
    assert Profile.objects.count() == 1


def test_usr_01_the_back_office_cannot_give_a_profile_another_accounts_address_so_spelt(
    admin_client,
):
    ina = make_profile(username="ina", email="ina@example.no")
    ola = make_profile(username="ola", email="ola@example.no")

    response = admin_client.post(
        f"/admin/content/profile/{ola.pk}/change/",
        {"username": "ola", "email": VARIANT, "name": "Ola", "bio": ""},
    )

    assert response.status_code == 200
    assert "Another account uses this email address." in response.text
    ola.user.refresh_from_db()
    assert ola.user.email == "ola@example.no"
    assert ina.user.email == "ina@example.no"
