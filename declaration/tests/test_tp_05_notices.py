"""Publishing a significant version tells the people concerned, once each, before it applies
(TP-05, DEC-06; policy §13).

Confirmed subscribers, clinic contacts and registered users get one notice each, in their
language where known, through the mail queue; unconfirmed sign-ups, people who unsubscribed and
staff get none; publishing again sends nothing more.
"""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from clinics.tests.factories import make_clinic, make_contact
from content.tests.factories import make_profile
from declaration import notices
from declaration.models import PolicyNotice, PolicyVersion
from declaration.publishing import publish_policy
from declaration.tests.versioning import declaring, version
from mail.models import OutgoingEmail
from newsletter import services as newsletter
from newsletter.models import Suppression
from newsletter.tests.factories import confirmed_subscription, unconfirmed_subscription
from retention.tests.helpers import count_for, sweep_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def declare(settings, tmp_path):
    yield from declaring(settings, tmp_path)


@pytest.fixture
def start():
    """The test's own present; everything is dated from it."""
    moment = timezone.now().replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        yield moment


def significant(start, *, notice_days: int = 21) -> dict:
    today = timezone.localdate(start)
    return version(
        "2090.2",
        today,
        significant=True,
        cookies_changed=True,
        effective_date=today + datetime.timedelta(days=notice_days),
        summary={
            "en": "We now use Brevo to send the newsletter.",
            "nb": "Vi bruker nå Brevo til å sende nyhetsbrevet.",
        },
    )


def earlier(start) -> dict:
    return version("2090.1", timezone.localdate(start) - datetime.timedelta(days=100))


@pytest.fixture
def people(start):
    """One person in each role, made before the change is published."""
    clinic = make_clinic()
    made = {
        "subscriber_en": confirmed_subscription("ann@example.no", language="en"),
        "subscriber_nb": confirmed_subscription("kari@example.no", language="nb"),
        "unconfirmed": unconfirmed_subscription("ola@example.no"),
        "left": confirmed_subscription("per@example.no"),
        "contact": make_contact(clinic, email="lise@tannlege-nord.example"),
        # A subscriber who is also a clinic contact and a registered user: one notice.
        "everything": confirmed_subscription("berit@example.no", language="nb"),
        "user": make_profile(username="nils", email="nils@example.no"),
        "staff": make_profile(username="staffer", email="staffer@wekst.example"),
    }
    make_contact(clinic, email="berit@example.no")
    make_profile(username="berit", email="berit@example.no")
    made["staff"].user.is_staff = True
    made["staff"].user.save()
    assert newsletter.unsubscribe(token=made["left"].unsubscribe_token)
    OutgoingEmail.objects.all().delete()  # confirmation emails: not what is tested here
    return made


def notified_addresses() -> list[str]:
    return sorted(
        OutgoingEmail.objects.filter(purpose=notices.ACTIVITY).values_list("to_address", flat=True)
    )


def test_tp_05_publishing_queues_one_notice_to_exactly_the_people_concerned(declare, start, people):
    declare([significant(start), earlier(start)])

    result = publish_policy()

    assert result.created and result.notices_queued == 5
    assert notified_addresses() == [
        "ann@example.no",
        "berit@example.no",
        "kari@example.no",
        "lise@tannlege-nord.example",
        "nils@example.no",
    ]
    # The unsubscribed address is suppressed and has no record left: nothing goes to it.
    assert Suppression.objects.count() == 1
    assert PolicyVersion.objects.get(version="2090.2").notices_completed_at is not None
    assert PolicyNotice.objects.count() == 5


def test_tp_05_a_significant_version_not_yet_in_force_is_announced_when_a_newer_one_comes_with_it(
    declare, start, people
):
    # One deploy brings a significant version and, after it, a minor one: the minor one is
    # published, and the significant one, which has yet to apply, is still announced.
    minor = version("2090.3", timezone.localdate(start))
    declare([minor, significant(start), earlier(start)])

    result = publish_policy()

    assert result.version.version == "2090.3" and "2090.2" in result.earlier_recorded
    assert result.notices_queued == 5
    assert len(notified_addresses()) == 5
    assert set(PolicyNotice.objects.values_list("version__version", flat=True)) == {"2090.2"}
    assert PolicyVersion.objects.get(version="2090.2").notices_completed_at is not None


def test_tp_05_a_significant_version_already_in_force_is_history_and_not_announced(
    declare, start, people
):
    in_force = significant(start)
    in_force["date"] = timezone.localdate(start) - datetime.timedelta(days=40)
    in_force["effective_date"] = timezone.localdate(start) - datetime.timedelta(days=10)
    declare([version("2090.3", timezone.localdate(start)), in_force, earlier(start)])

    result = publish_policy()

    assert "2090.2" in result.earlier_recorded and result.notices_queued == 0
    assert notified_addresses() == []


def test_tp_05_publishing_again_publishes_once_and_sends_nothing_more(declare, start, people):
    declare([significant(start), earlier(start)])

    call_command("publish_policy", verbosity=0)
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        call_command("publish_policy", verbosity=0)
        confirmed_subscription("late@example.no")  # signed up under the new version

        second = publish_policy()

    assert not second.created and second.notices_queued == 0
    assert PolicyVersion.objects.filter(version="2090.2").count() == 1
    assert len(notified_addresses()) == 5


def test_tp_05_an_interrupted_run_resumes_without_telling_anyone_twice(
    declare, start, people, monkeypatch
):
    declare([significant(start), earlier(start)])
    monkeypatch.setattr(notices, "BATCH_SIZE", 2)
    real_queue = notices.queue_email
    calls = []

    def failing_after_the_first_batch(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 3:
            raise ConnectionError("worker killed")
        return real_queue(**kwargs)

    monkeypatch.setattr(notices, "queue_email", failing_after_the_first_batch)
    with pytest.raises(ConnectionError):
        publish_policy()
    assert len(notified_addresses()) == 2  # the first batch committed, the second rolled back
    monkeypatch.setattr(notices, "queue_email", real_queue)

    publish_policy()

    assert len(notified_addresses()) == 5
    assert len(set(notified_addresses())) == 5


def test_tp_05_notices_are_delivered_before_the_effective_date_in_each_language(
    declare, start, people, smtp_server, run_tasks
):
    declare([significant(start), earlier(start)])
    publish_policy()

    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        run_tasks()

    effective = PolicyVersion.objects.get(version="2090.2").effective_date
    assert {m["To"] for m in smtp_server.messages} == {
        "ann@example.no",
        "berit@example.no",
        "kari@example.no",
        "lise@tannlege-nord.example",
        "nils@example.no",
    }
    for email in OutgoingEmail.objects.filter(purpose=notices.ACTIVITY):
        assert email.status == OutgoingEmail.Status.SENT
        assert timezone.localdate(email.sent_at) < effective

    [english] = smtp_server.to("ann@example.no")
    body = english.get_content()
    assert english["Subject"].startswith("Changes to our privacy policy from ")
    assert "We now use Brevo to send the newsletter." in body
    assert "takes effect on" in body
    assert "Your right to object" in body
    assert "/privacy/versions/2090.2/" in body
    assert "List-Unsubscribe" not in english  # a service message, not marketing

    [norwegian] = smtp_server.to("kari@example.no")
    body = norwegian.get_content()
    assert norwegian["Subject"].startswith("Endringer i personvernerklæringen vår fra ")
    assert "Vi bruker nå Brevo til å sende nyhetsbrevet." in body
    assert "Din rett til å protestere" in body
    assert "/nb/privacy/versions/2090.2/" in body
    assert "We now use Brevo" not in body

    # Language unknown (a clinic contact): both, Norwegian first.
    [both] = smtp_server.to("lise@tannlege-nord.example")
    body = both.get_content()
    assert body.index("Vi bruker nå Brevo") < body.index("We now use Brevo")


def test_tp_05_the_notice_links_to_the_difference_from_the_archived_previous_version(
    declare, start, people
):
    with time_machine.travel(start - datetime.timedelta(days=100), tick=False):
        declare([earlier(start)])
        publish_policy()
    declare([significant(start), earlier(start)])

    publish_policy()

    [email] = OutgoingEmail.objects.filter(to_address="ann@example.no")
    assert "/privacy/versions/2090.1...2090.2/" in email.body_text


def test_tp_05_a_significant_version_too_close_to_its_effective_date_is_not_published(
    declare, start, people
):
    # Declared with 20 days' notice, but deployed 10 days late: 10 days would be left.
    late = significant(start, notice_days=10)
    late["date"] -= datetime.timedelta(days=10)
    declare([late, earlier(start)])

    with pytest.raises(CommandError) as refusal:
        call_command("publish_policy", verbosity=0)

    assert "Version 2090.2 is significant and takes effect on" in str(refusal.value)
    assert "Set its effective_date to" in str(refusal.value)
    assert not PolicyVersion.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_tp_05_a_minor_version_is_archived_without_notices(declare, start, people):
    declare([version("2090.3", timezone.localdate(start)), earlier(start)])

    result = publish_policy()

    assert result.created and result.notices_queued == 0
    assert not OutgoingEmail.objects.exists()


def test_tp_05_staff_see_the_progress_of_the_notices(
    declare, start, people, admin_client, smtp_server, run_tasks
):
    declare([significant(start), earlier(start)])
    publish_policy()
    run_tasks()

    page = admin_client.get("/admin/declaration/policyversion/").content.decode()
    notices_page = admin_client.get("/admin/declaration/policynotice/").content.decode()

    assert '<td class="field-notices_queued">5</td>' in page
    assert '<td class="field-notices_sent">5</td>' in page
    assert '<td class="field-notices_waiting">0</td>' in page
    assert notices_page.count("Sent") >= 5


def test_tp_05_a_notice_record_is_erased_by_the_sweep_3_months_after_it_was_queued(
    declare, start, people
):
    declare([significant(start), earlier(start)])
    publish_policy()

    kept = sweep_at(start + datetime.timedelta(days=88))
    assert PolicyNotice.objects.count() == 5
    assert count_for(kept, "policy_notice").erased == 0

    run = sweep_at(start + datetime.timedelta(days=93))
    assert not PolicyNotice.objects.exists()
    assert count_for(run, "policy_notice").erased == 5
    # The version stays, and publishing again sends nothing: the run was completed.
    assert publish_policy().notices_queued == 0
