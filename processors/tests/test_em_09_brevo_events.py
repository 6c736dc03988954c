"""EM-09, LEA-02: the email provider's delivery events (a hard bounce, a spam complaint, an
unsubscribe through its own link) come back through a verified webhook and suppress the address as
our own unsubscribe does, with the evidence kept and no readable address.

Bodies in Brevo's documented shape: developers.brevo.com/docs/transactional-webhooks (flat JSON,
`event` "hard_bounce" / "spam" / "unsubscribed", `email`, `id`, `date`, `ts`, `message-id`,
`ts_event` in UTC seconds, `reason`, `tags`) and developers.brevo.com/docs/marketing-webhooks
(`camp_id`, `date_sent`, `date_event`, `ts_sent`, `ts_event`). Verification: Brevo signs nothing;
the webhook is secured by a token in its URL (developers.brevo.com/docs/how-to-use-webhooks).
"""

import datetime
import json

import pytest
from django.utils import timezone

from newsletter.models import Subscription, Suppression
from newsletter.selectors import is_suppressed
from newsletter.tests.factories import confirmed_subscription

TOKEN = "brevo-webhook-token-0123456789abcdef"
EMAIL = "kari@klinikk.example"


@pytest.fixture(autouse=True)
def _token(settings, fresh_rate_limits):
    settings.BREVO_WEBHOOK_TOKEN = TOKEN


def brevo_body(event: str, email: str = EMAIL, *, at: datetime.datetime | None = None) -> dict:
    """A transactional event as Brevo documents it (source in the module's docstring)."""
    at = at or timezone.now().replace(microsecond=0)
    return {
        "event": event,
        "email": email,
        "id": 123456,
        "date": at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "ts": int(at.timestamp()),
        "message-id": "<201798300811.5787683@relay.domain.com>",
        "ts_event": int(at.timestamp()),
        "subject": "Growth notes, spring",
        "tag": "",
        "sending_ip": "185.41.28.109",
        "ts_epoch": int(at.timestamp() * 1000),
        "reason": "550 5.1.1 The email account that you tried to reach does not exist",
        "tags": ["newsletter"],
    }


def post(client, body, token: str = TOKEN):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(f"/webhooks/brevo/{token}/", data=data, content_type="application/json")


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ("hard_bounce", Suppression.Reason.BOUNCED),
        ("spam", Suppression.Reason.COMPLAINED),
        ("unsubscribed", Suppression.Reason.UNSUBSCRIBED),
        ("unsubscribe", Suppression.Reason.UNSUBSCRIBED),  # the marketing webhook's word
    ],
)
def test_em_09_a_provider_event_ends_the_subscription_and_keeps_its_evidence(
    db, client, event, reason
):
    confirmed_subscription(EMAIL)
    at = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=3)

    response = post(client, brevo_body(event, EMAIL.upper(), at=at))

    assert (response.status_code, response.json()) == (200, {"status": "suppressed"})
    assert not Subscription.objects.exists()
    assert is_suppressed(email=EMAIL)
    [entry] = Suppression.objects.all()
    assert (entry.reason, entry.provider, entry.provider_event) == (
        reason,
        "email_provider",
        {"unsubscribe": "unsubscribed"}.get(event, event),
    )
    assert entry.provider_event_at == at
    # No readable address: only the keyed hash.
    assert EMAIL not in json.dumps(
        list(Suppression.objects.values()), default=str
    ) and "klinikk" not in str(entry.__dict__)


def test_lea_02_a_provider_event_for_an_address_not_subscribed_still_suppresses_it(db, client):
    response = post(client, brevo_body("hard_bounce"))

    assert response.json() == {"status": "suppressed"}
    assert is_suppressed(email=EMAIL)


def test_lea_02_the_same_event_again_changes_nothing(db, client):
    confirmed_subscription(EMAIL)
    first = brevo_body("spam")
    post(client, first)
    [entry] = Suppression.objects.values()

    again = post(client, first)
    later = post(client, brevo_body("hard_bounce", at=timezone.now()))

    assert again.json() == later.json() == {"status": "already_suppressed"}
    assert list(Suppression.objects.values()) == [entry]  # the first evidence kept


def test_em_09_events_that_are_not_about_consent_store_nothing(db, client):
    confirmed_subscription(EMAIL)
    for event in ("delivered", "soft_bounce", "opened", "click", "request"):
        response = post(client, brevo_body(event))
        assert response.json() == {"status": "ignored"}

    assert Subscription.objects.count() == 1
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("token", ["wrong-token", TOKEN[:-1], TOKEN + "x"])
def test_em_09_a_wrong_token_is_refused_and_nothing_is_stored(db, client, token):
    confirmed_subscription(EMAIL)

    response = post(client, brevo_body("hard_bounce"), token=token)

    assert (response.status_code, response.json()["error"]) == (401, "invalid_token")
    assert Subscription.objects.count() == 1 and not Suppression.objects.exists()


def test_em_09_without_a_token_configured_the_webhook_is_off(db, client, settings):
    settings.BREVO_WEBHOOK_TOKEN = ""

    response = post(client, brevo_body("hard_bounce"), token="anything")

    assert (response.status_code, response.json()["error"]) == (503, "not_configured")
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "malformed_json"),
        (b"[" * 100 + b"]" * 100, "malformed_json"),
        (b'["hard_bounce"]', "malformed_json"),
        (b"x" * (64 * 1024 + 1), "body_too_large"),
        ({"email": EMAIL}, "invalid_event"),
        ({"event": 7, "email": EMAIL}, "invalid_event"),
        ({"event": "hard_bounce"}, "invalid_email"),
        ({"event": "spam", "email": "not an address"}, "invalid_email"),
        ({"event": "spam", "email": ["kari@klinikk.example"]}, "invalid_email"),
        ({"event": "spam", "email": EMAIL, "ts_event": "yesterday"}, "invalid_time"),
        ({"event": "spam", "email": EMAIL, "ts_event": 10**20}, "invalid_time"),
        # A lone UTF-16 surrogate: valid JSON, but text nothing can store (SEC-03).
        (b'{"event": "spam", "email": "kari@\\ud800.example"}', "malformed_json"),
    ],
)
def test_em_09_malformed_input_is_a_400_and_nothing_is_stored(db, client, body, error):
    confirmed_subscription(EMAIL)

    response = post(client, body)

    assert (response.status_code, response.json()["error"]) == (400, error)
    assert Subscription.objects.count() == 1 and not Suppression.objects.exists()


def test_lea_02_our_own_unsubscribe_records_no_provider_evidence(db, client):
    subscription = confirmed_subscription(EMAIL)

    client.post(f"/newsletter/unsubscribe/{subscription.unsubscribe_token}/")

    [entry] = Suppression.objects.all()
    assert (entry.reason, entry.provider, entry.provider_event, entry.provider_event_at) == (
        Suppression.Reason.UNSUBSCRIBED,
        "",
        "",
        None,
    )
