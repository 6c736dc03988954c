"""The age threshold of policy §12 lives in the declaration (checklist CH-01, note N1): every form
that rests on consent asks for it and refuses without it, and the policy states it, all read from
`children.age_of_consent`. Changing the declared number changes all of them.
"""

import re

import pytest

from content.models import Comment, Profile
from declaration.overrides import changed_declaration
from declaration.selectors import get_declaration
from leads.models import Lead
from newsletter.models import Subscription

PAGES_THAT_ASK = ("/newsletter/", "/account/signup/", "/contact/")


def declared_age(age: int):
    return changed_declaration(lambda data: data["children"].update(age_of_consent=age))


@pytest.fixture(autouse=True)
def _fresh_rate_limits(fresh_rate_limits):
    """Every test here starts with no submission counted (wekst.testing)."""


def test_ch_01_the_declared_threshold_is_the_policys_16():
    assert get_declaration().children.age_of_consent == 16


@pytest.mark.django_db
@pytest.mark.parametrize("age", [13, 15])
def test_ch_01_changing_the_declared_threshold_changes_what_every_form_asks(client, age):
    with declared_age(age):
        for url in PAGES_THAT_ASK:
            page = client.get(url).content.decode()
            assert re.search(rf"I am {age} or older", page), url
            assert "16 or older" not in page, url
        policy = client.get("/privacy/").content.decode()
        assert f"children under {age}." in policy
        assert f"under {age}" in client.get("/children/report/").content.decode()
        norwegian = client.get("/nb/newsletter/").content.decode()
        assert f"Jeg er {age} år eller eldre" in norwegian


@pytest.mark.django_db
def test_ch_01_changing_the_declared_threshold_changes_what_the_forms_enforce(client):
    with declared_age(13):
        newsletter = client.post("/newsletter/", {"email": "kari@example.no", "name": "Kari"})
        signup = client.post(
            "/account/signup/",
            {
                "username": "kari",
                "email": "kari@example.no",
                "password1": "correct horse battery staple",
                "password2": "correct horse battery staple",
                "name": "Kari Nordmann",
            },
        )
        contact = client.post(
            "/contact/",
            {
                "name": "Kari",
                "email": "kari@example.no",
                "message": "Hei",
                "marketing_consent": "on",
            },
        )
    for response in (newsletter, signup, contact):
        # The refusal itself names the declared age, not only the box's label.
        assert "must be 13 or older" in response.content.decode()
        assert "16 or older" not in response.content.decode()
    assert not Subscription.objects.exists()
    assert not Profile.objects.exists()
    assert not Lead.objects.exists()
    assert not Comment.objects.exists()


def test_ch_01_a_threshold_the_law_does_not_allow_stops_the_site():
    from declaration.schema import DeclarationError

    refused = pytest.raises(DeclarationError, match="age_of_consent must be a whole number from 13")
    with refused, declared_age(12):
        pass  # pragma: no cover - never reached
    assert get_declaration().children.age_of_consent == 16  # the original is back
