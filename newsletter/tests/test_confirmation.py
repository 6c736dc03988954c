"""Double opt-in end to end: the confirmation email arrives, its link confirms once, in time."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from newsletter import services
from newsletter.models import Subscription
from newsletter.selectors import unconfirmed_signups_due_for_erasure
from newsletter.tests import factories
from newsletter.tokens import hash_token


def sign_up(client, email="kari@example.no", prefix=""):
    response = client.post(
        f"{prefix}/newsletter/", {"email": email, "name": "Kari", "age_confirmed": "on"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_lea_02_signup_email_link_confirms_the_subscription(client, smtp_server, run_tasks):
    sign_up(client)
    assert smtp_server.messages == []  # sent by the worker, not in the request

    run_tasks()

    [message] = smtp_server.to("kari@example.no")
    assert message["Subject"] == "Confirm your subscription to the Wekst newsletter"
    assert message["List-Unsubscribe"] is None  # not marketing: there is nothing to leave yet
    path = factories.confirm_path(message)

    page = client.get(path)  # what a mail scanner does: it must confirm nothing
    assert page.status_code == 200
    assert "Confirm my subscription" in page.content.decode()
    assert Subscription.objects.get().status == Subscription.Status.UNCONFIRMED

    confirmed_at = timezone.now() + datetime.timedelta(hours=2)
    with time_machine.travel(confirmed_at, tick=False):
        response = client.post(path)

    assert response.status_code == 200
    assert "Subscription confirmed" in response.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.CONFIRMED
    assert subscription.confirmed_at == confirmed_at


@pytest.mark.django_db
def test_lea_02_confirmation_link_uses_the_site_url_and_the_signup_language(
    client, smtp_server, run_tasks, settings
):
    settings.WEKST_SITE_URL = "https://wekst.example"
    sign_up(client, prefix="/nb")

    run_tasks()

    [message] = smtp_server.messages
    assert "https://wekst.example/nb/newsletter/confirm/" in message.get_content()


@pytest.mark.django_db
def test_lea_02_only_a_hash_of_the_confirmation_token_is_stored(client, smtp_server, run_tasks):
    sign_up(client)
    run_tasks()

    token = factories.confirm_path(smtp_server.messages[0]).rstrip("/").rsplit("/", 1)[1]
    subscription = Subscription.objects.get()
    assert len(token) >= 43  # 256 random bits
    assert subscription.confirmation_token_hash == hash_token(token)
    assert token not in {str(v) for v in Subscription.objects.values().get().values()}


@pytest.mark.django_db
def test_lea_02_a_used_confirmation_link_is_refused_with_a_clear_page(
    client, smtp_server, run_tasks
):
    sign_up(client)
    run_tasks()
    path = factories.confirm_path(smtp_server.messages[0])
    assert client.post(path).status_code == 200

    again_get = client.get(path)
    again_post = client.post(path)

    for response in (again_get, again_post):
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
        assert "already been used" in response.content.decode()


@pytest.mark.django_db
def test_lea_02_an_expired_confirmation_link_is_refused_and_confirms_nothing(
    client, smtp_server, run_tasks
):
    sign_up(client)
    run_tasks()
    path = factories.confirm_path(smtp_server.messages[0])
    expires_at = Subscription.objects.get().confirmation_expires_at
    # The link lives exactly as long as the declared retention of an unconfirmed sign-up.
    assert expires_at - Subscription.objects.get().signed_up_at == datetime.timedelta(days=7)

    with time_machine.travel(expires_at - datetime.timedelta(seconds=1)):
        assert client.get(path).status_code == 200
    with time_machine.travel(expires_at + datetime.timedelta(seconds=1)):
        page = client.get(path)
        response = client.post(path)

    for refused in (page, response):
        assert refused.status_code == 410
        assert "This link has expired" in refused.content.decode()
    assert Subscription.objects.get().status == Subscription.Status.UNCONFIRMED


@pytest.mark.django_db
def test_lea_02_a_made_up_confirmation_link_is_refused(client):
    factories.unconfirmed_subscription()

    for token in ["x" * 43, "x" * 500]:
        response = client.post(f"/newsletter/confirm/{token}/")
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert Subscription.objects.get().status == Subscription.Status.UNCONFIRMED


@pytest.mark.django_db
def test_lea_02_signing_up_again_replaces_the_link(client, smtp_server, run_tasks):
    sign_up(client)
    run_tasks()
    sign_up(client)
    run_tasks()

    first, second = (factories.confirm_path(m) for m in smtp_server.to("kari@example.no"))
    assert first != second
    assert Subscription.objects.count() == 1
    assert client.post(first).status_code == 404
    assert client.post(second).status_code == 200


@pytest.mark.django_db
def test_lea_02_confirmed_subscriber_signing_up_again_gets_no_email(smtp_server, run_tasks):
    subscription = factories.confirmed_subscription()

    again = factories.unconfirmed_subscription()
    run_tasks()

    assert again.pk == subscription.pk
    assert smtp_server.messages == []
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CONFIRMED


@pytest.mark.django_db
def test_ret_01_unconfirmed_signups_are_due_for_erasure_after_the_declared_period():
    pending = factories.unconfirmed_subscription("pending@example.no")
    factories.confirmed_subscription("confirmed@example.no")

    assert list(unconfirmed_signups_due_for_erasure()) == []
    with time_machine.travel(pending.confirmation_expires_at + datetime.timedelta(seconds=1)):
        assert list(unconfirmed_signups_due_for_erasure()) == [pending]
        with pytest.raises(services.LinkInvalid):
            services.confirm_subscription(token="no-such-token")


@pytest.mark.django_db
def test_lea_02_start_subscription_keeps_the_proof_it_is_given():
    """The contact form (leads) signs people up through the same function."""
    subscription = services.start_subscription(
        email="  Kari@Example.no ",
        name="Kari\r\nNordmann",
        source="contact_form",
        consent_wording="Yes, I would also like the newsletter.",
        language="nb",
    )

    subscription.refresh_from_db()
    assert subscription.subject.email == "kari@example.no"
    assert subscription.name == "Kari Nordmann"  # one line, whatever a caller passes
    assert subscription.source == "contact_form"
    assert subscription.consent_wording == "Yes, I would also like the newsletter."
    assert subscription.language == "nb"
    assert subscription.status == Subscription.Status.UNCONFIRMED


@pytest.mark.django_db
def test_lea_02_start_subscription_refuses_an_invalid_address():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.start_subscription(
            email="kari@", name="", source="contact_form", consent_wording="…", language="en"
        )
    assert Subscription.objects.count() == 0
