"""Sending an issue: confirmed subscribers only, each exactly once, even across a restart."""

import re

import pytest

from mail.models import OutgoingEmail
from newsletter import services
from newsletter.models import Delivery, Issue
from newsletter.tests import factories

URL = re.compile(r"https?://\S+")


def send(issue, run_tasks):
    assert services.start_sending_issue(issue_id=issue.pk)
    run_tasks()
    issue.refresh_from_db()


@pytest.mark.django_db
def test_lea_06_only_confirmed_subscribers_receive_the_newsletter(smtp_server, run_tasks):
    factories.confirmed_subscription("confirmed@example.no")
    factories.unconfirmed_subscription("unconfirmed@example.no")
    OutgoingEmail.objects.all().delete()  # the pending confirmation email is not the point here
    issue = factories.issue()

    send(issue, run_tasks)

    assert [m["To"] for m in smtp_server.messages] == ["confirmed@example.no"]
    assert issue.status == Issue.Status.SENT
    assert issue.sent_at is not None
    assert Delivery.objects.filter(issue=issue).count() == 1


@pytest.mark.django_db
def test_lea_02_newsletter_carries_both_rfc_8058_headers(smtp_server, run_tasks, settings):
    settings.WEKST_SITE_URL = "https://wekst.example"
    subscription = factories.confirmed_subscription()

    send(factories.issue(), run_tasks)

    [message] = smtp_server.to("kari@example.no")
    token = subscription.unsubscribe_token
    assert message["List-Unsubscribe"] == (
        f"<https://wekst.example/newsletter/unsubscribe/{token}/>, "
        f"<mailto:privacy@wekst.com?subject=unsubscribe%20{token}>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The token is opaque: not the subscriber's id, and long enough not to be guessed.
    assert token not in {str(subscription.pk), str(subscription.public_id)}
    assert len(token) >= 43


@pytest.mark.django_db
def test_lea_06_newsletter_has_no_tracking_pixel_or_tracked_links(smtp_server, run_tasks):
    subscription = factories.confirmed_subscription()
    issue = factories.issue(body="Read our guide: https://wekst.com/guides/spring/")

    send(issue, run_tasks)

    [message] = smtp_server.messages
    assert not message.is_multipart()  # plain text only: no HTML, so no image to track opens
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    assert "<img" not in body.lower()
    assert set(URL.findall(body)) == {
        "https://wekst.com/guides/spring/",  # the staff's own link, unchanged
        services.unsubscribe_url(subscription),
    }


@pytest.mark.django_db
def test_tp_06_newsletter_presents_the_right_to_object_apart_and_names_the_sender(
    smtp_server, run_tasks
):
    subscription = factories.confirmed_subscription()

    send(factories.issue(), run_tasks)

    body = smtp_server.messages[0].get_content().replace("\r\n", "\n")
    assert "Three ideas for spring." in body
    assert "marketing email from Harwest AS (Wekst)" in body
    paragraphs = [p.strip() for p in body.split("\n\n")]
    [objection] = [p for p in paragraphs if p.startswith("YOUR RIGHT TO OBJECT")]
    assert "object to our marketing and unsubscribe at any time" in objection
    assert services.unsubscribe_url(subscription) in objection


@pytest.mark.django_db
def test_lea_02_send_interrupted_half_way_reaches_each_subscriber_exactly_once(
    smtp_server, run_tasks, monkeypatch
):
    addresses = [f"subscriber{n}@example.no" for n in range(7)]
    for address in addresses:
        factories.confirmed_subscription(address)
    issue = factories.issue()
    monkeypatch.setattr(services, "SEND_BATCH_SIZE", 3)
    queue_email, calls = services.queue_email, []

    def worker_dies_in_the_second_batch(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 5:
            raise SystemExit("worker killed")
        return queue_email(**kwargs)

    monkeypatch.setattr(services, "queue_email", worker_dies_in_the_second_batch)
    send(issue, run_tasks)

    assert issue.status == Issue.Status.SENDING
    assert len(smtp_server.messages) == 3  # the first batch committed; the second rolled back
    assert Delivery.objects.filter(issue=issue).count() == 3

    monkeypatch.setattr(services, "queue_email", queue_email)
    send(issue, run_tasks)  # staff resume it after the restart (the same admin action)

    assert issue.status == Issue.Status.SENT
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(addresses)
    assert Delivery.objects.filter(issue=issue).count() == len(addresses)


@pytest.mark.django_db
def test_lea_02_send_task_run_twice_sends_each_subscriber_once(smtp_server, run_tasks):
    from newsletter.tasks import send_issue

    factories.confirmed_subscription("one@example.no")
    factories.confirmed_subscription("two@example.no")
    issue = factories.issue()
    services.start_sending_issue(issue_id=issue.pk)
    send_issue.enqueue(issue.pk)  # as if enqueued again by a second click or a restart

    run_tasks()

    assert sorted(m["To"] for m in smtp_server.messages) == ["one@example.no", "two@example.no"]


@pytest.mark.django_db
def test_lea_02_a_sent_issue_is_not_sent_again(smtp_server, run_tasks):
    factories.confirmed_subscription()
    issue = factories.issue()
    send(issue, run_tasks)

    assert services.start_sending_issue(issue_id=issue.pk) is False
    run_tasks()

    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_lea_06_subscribers_confirmed_after_sending_started_are_not_added(run_tasks):
    factories.confirmed_subscription("early@example.no")
    issue = factories.issue()
    services.start_sending_issue(issue_id=issue.pk)
    late = factories.confirmed_subscription("late@example.no")

    run_tasks()

    assert not Delivery.objects.filter(subscription=late).exists()
    assert Delivery.objects.filter(issue=issue).count() == 1
