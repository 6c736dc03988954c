"""Unsubscribe: one click from the email header, at once, leaving only a suppression entry."""

import datetime
import urllib.parse

import pytest
import time_machine
from django.test import Client

from mail.models import OutgoingEmail
from newsletter import services
from newsletter.models import Delivery, Subscription, Suppression
from newsletter.selectors import is_suppressed
from newsletter.tests import factories
from subjects.models import Subject


def header_url(message) -> str:
    """The one HTTPS URL in a List-Unsubscribe header (RFC 2369: in angle brackets), which a
    mail client POSTs to; the header also holds a mailto: (RFC 8058 §3.1)."""
    parts = [part.strip().strip("<>") for part in message["List-Unsubscribe"].split(",")]
    [url] = [part for part in parts if part.startswith(("http://", "https://"))]
    return url


def one_click(url: str):
    """What a mail provider sends (RFC 8058 §3.2): a POST, no cookies, no CSRF token."""
    path = urllib.parse.urlsplit(url).path
    return Client(enforce_csrf_checks=True).post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )


def received_newsletter(smtp_server, run_tasks, address="kari@example.no"):
    factories.confirmed_subscription(address)
    services.start_sending_issue(issue_id=factories.issue().pk)
    run_tasks()
    [message] = smtp_server.to(address)
    return message


@pytest.mark.django_db
def test_lea_02_one_click_post_from_the_header_unsubscribes_without_csrf_or_login(
    smtp_server, run_tasks
):
    message = received_newsletter(smtp_server, run_tasks)

    response = one_click(header_url(message))

    assert response.status_code == 200  # RFC 8058: answered directly, never a redirect
    assert "You are unsubscribed" in response.content.decode()
    assert Subscription.objects.count() == 0
    assert Suppression.objects.get().reason == Suppression.Reason.UNSUBSCRIBED


@pytest.mark.django_db
def test_lea_02_one_click_post_is_idempotent(smtp_server, run_tasks):
    url = header_url(received_newsletter(smtp_server, run_tasks))

    first, second = one_click(url), one_click(url)

    assert (first.status_code, second.status_code) == (200, 200)
    assert Suppression.objects.count() == 1


@pytest.mark.django_db
def test_lea_02_get_on_the_unsubscribe_link_only_shows_a_confirmation_page(
    client, smtp_server, run_tasks
):
    url = header_url(received_newsletter(smtp_server, run_tasks))
    path = urllib.parse.urlsplit(url).path

    page = client.get(path)

    assert page.status_code == 200
    assert Subscription.objects.count() == 1  # a link scanner's GET changes nothing
    assert Suppression.objects.count() == 0
    html = page.content.decode()
    assert '<form method="post">' in html
    assert "Unsubscribe</button>" in html
    assert "csrfmiddlewaretoken" not in html  # the button works like the one-click POST

    clicked = client.post(path, {"List-Unsubscribe": "One-Click"})

    assert clicked.status_code == 200
    assert Subscription.objects.count() == 0
    assert client.get(path).status_code == 404  # gone: the page says so
    assert "Already unsubscribed" in client.get(path).content.decode()


@pytest.mark.django_db
def test_lea_02_unsubscribe_link_of_a_norwegian_subscriber_is_in_norwegian(
    smtp_server, run_tasks, settings
):
    settings.WEKST_SITE_URL = "https://wekst.example"
    factories.confirmed_subscription(language="nb")
    services.start_sending_issue(issue_id=factories.issue().pk)
    run_tasks()

    url = header_url(smtp_server.messages[0])

    assert url.startswith("https://wekst.example/nb/newsletter/unsubscribe/")
    assert one_click(url).status_code == 200
    assert Subscription.objects.count() == 0


@pytest.mark.django_db
def test_lea_02_unsubscribe_stops_newsletters_queued_but_not_yet_sent(smtp_server, run_tasks):
    leaving = factories.confirmed_subscription("leaving@example.no")
    factories.confirmed_subscription("staying@example.no")
    issue = factories.issue()
    services.start_sending_issue(issue_id=issue.pk)
    services.send_issue(issue_id=issue.pk)  # queued for the mail worker, which has not run yet
    assert OutgoingEmail.objects.filter(to_address="leaving@example.no").exists()

    one_click(services.unsubscribe_url(leaving))
    run_tasks()

    assert [m["To"] for m in smtp_server.messages] == ["staying@example.no"]
    assert Delivery.objects.get(issue=issue, subscription=None).status == (
        Delivery.Status.CANCELLED
    )
    assert not OutgoingEmail.objects.filter(to_address="leaving@example.no").exists()


@pytest.mark.django_db
def test_lea_02_unsubscribe_stops_a_newsletter_waiting_for_a_retry(smtp_server, run_tasks):
    subscription = factories.confirmed_subscription()
    smtp_server.refuse = True
    services.start_sending_issue(issue_id=factories.issue().pk)
    run_tasks()
    [pending] = OutgoingEmail.objects.all()
    assert pending.status == OutgoingEmail.Status.RETRYING

    one_click(services.unsubscribe_url(subscription))
    smtp_server.refuse = False
    with time_machine.travel(pending.next_attempt_at + datetime.timedelta(minutes=1)):
        run_tasks()

    assert smtp_server.messages == []


@pytest.mark.django_db
def test_rig_05_suppression_entry_holds_no_readable_address(smtp_server, run_tasks):
    url = header_url(received_newsletter(smtp_server, run_tasks, "kari.nordmann@example.no"))

    one_click(url)

    [entry] = Suppression.objects.values()
    stored = " ".join(str(value) for value in entry.values()).lower()
    assert "kari" not in stored and "nordmann" not in stored and "example" not in stored
    assert len(entry["address_digest"]) == 64
    # Nothing else of the subscription is kept in the newsletter's tables.
    assert Subscription.objects.count() == 0
    assert all(d["subscription_id"] is None for d in Delivery.objects.values())


@pytest.mark.django_db
def test_rig_05_suppressed_address_gets_only_a_confirmation_and_sees_the_same_page(
    client, smtp_server, run_tasks
):
    url = header_url(received_newsletter(smtp_server, run_tasks))
    one_click(url)
    smtp_server.messages.clear()
    fresh = client.post(
        "/newsletter/",
        {"email": "someone-new@example.no", "age_confirmed": "on"},
        follow=True,
    )

    again = client.post(
        "/newsletter/", {"email": " KARI@example.no", "age_confirmed": "on"}, follow=True
    )
    services.start_sending_issue(issue_id=factories.issue().pk)
    run_tasks()

    assert again.redirect_chain == fresh.redirect_chain
    assert again.content == fresh.content
    [confirmation] = smtp_server.to("kari@example.no")
    assert "confirm" in confirmation["Subject"].lower()
    assert is_suppressed(email="kari@example.no")


@pytest.mark.django_db
def test_rig_05_only_the_persons_own_confirmation_lifts_the_suppression():
    services.record_objection_to_marketing(email="kari@example.no")
    subscription = factories.unconfirmed_subscription("Kari@Example.no")
    assert is_suppressed(email="kari@example.no")
    [confirmation] = OutgoingEmail.objects.filter(subject=subscription.subject)
    token = factories.CONFIRM_LINK.search(confirmation.body_text).group(1).split("/")[-2]

    services.confirm_subscription(token=token)

    assert not is_suppressed(email="kari@example.no")
    assert Subscription.objects.get().status == Subscription.Status.CONFIRMED


@pytest.mark.django_db
def test_rig_05_suppression_survives_erasure_of_the_subject():
    subscription = factories.confirmed_subscription()
    subscription_email = subscription.subject.email
    services.unsubscribe(token=subscription.unsubscribe_token)

    Subject.objects.all().delete()  # erasure of everything about the person

    assert Suppression.objects.count() == 1
    assert is_suppressed(email=subscription_email)


@pytest.mark.django_db
def test_rig_05_suppression_is_still_recognised_after_the_secret_key_is_rotated(settings):
    services.record_objection_to_marketing(email="kari@example.no")

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation-0123456789-abcdefghijklmnopqrstuvwxyz"

    assert is_suppressed(email="kari@example.no")


@pytest.mark.django_db
def test_rig_05_objection_ends_a_confirmed_subscription_at_once(smtp_server, run_tasks):
    factories.confirmed_subscription()

    services.record_objection_to_marketing(email="KARI@example.no")
    services.start_sending_issue(issue_id=factories.issue().pk)
    run_tasks()

    assert smtp_server.messages == []
    assert Suppression.objects.get().reason == Suppression.Reason.OBJECTED


@pytest.mark.django_db
def test_lea_02_a_made_up_unsubscribe_link_changes_nothing(client):
    factories.confirmed_subscription()

    page = client.get("/newsletter/unsubscribe/made-up-token/")
    post = one_click("https://wekst.example/newsletter/unsubscribe/" + "x" * 300 + "/")

    assert page.status_code == 404
    assert post.status_code == 200  # idempotent answer; reveals nothing
    assert Subscription.objects.count() == 1
    assert Suppression.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["%00", "abc%00def", "not*a*token", "x" * 65])
def test_sec_03_a_link_that_cannot_be_a_token_is_unknown_and_never_looked_up(
    client, token, django_assert_num_queries
):
    # A NUL byte cannot even be compared by PostgreSQL: such a link is answered as unknown before
    # any query, on GET and on the one-click POST alike.
    with django_assert_num_queries(0):
        assert client.get(f"/newsletter/unsubscribe/{token}/").status_code == 404
    with django_assert_num_queries(0):
        assert client.post(f"/newsletter/unsubscribe/{token}/").status_code == 200
