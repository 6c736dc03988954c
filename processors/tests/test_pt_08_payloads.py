"""PT-08: each integration sends only the fields its record allows, each of a data category
declared for its recipient; checked on the real outgoing requests, captured by a local HTTP server
playing the processor (the connector tests' FakeProcessor)."""

import json
import logging

import pytest

from declaration.selectors import get_declaration
from processors import email_provider, trafft
from processors.connectors import ManualStepNeeded, ProcessorTarget, UndeclaredField, send
from processors.integration import (
    IDENTIFIER_CATEGORIES,
    KINDS,
    RECTIFICATION,
    integrations,
    outgoing_fields,
)
from processors.testing import put_on_record
from rights.tests.test_rig_04_connectors import FakeProcessor

# Everything a person may be known by, so that a connector sending more than its provider knows
# them by would be seen.
EVERYTHING = ProcessorTarget(
    emails=("kari@klinikk.example",),
    phones=("+4791234567",),
    booking_ids=("booking-8812",),
    client_ids=("1234567.1700000000",),
)
# Every value a rectification may correct.
CHANGES = {
    "name": "Kari Nordmann-Berg",
    "phone": "+47 999 88 777",
    "email": "kari.berg@klinikk.example",
    "company": "Klinikk Berg AS",
    "role": "Daglig leder",
}
ANSWERS = {
    "google_analytics": [(200, {"access_token": "ya29.token"}), (200, {})],
    # Trafft's API v2 (../shared/providers.md): the token, one page of customers, then 204.
    "trafft": [
        (200, {"token_type": "Bearer", "expires_in": 3600, "access_token": "trafft-token"}),
        (
            200,
            {
                "data": [{"id": 7, "first_name": "Kari", "email": "kari@klinikk.example"}],
                "pagination": {"total": 1, "page": 1, "limit": 100, "pages": 1},
            },
        ),
    ],
}


@pytest.fixture
def processor(db, settings, tmp_path):
    """Every provider's URLs pointed at one local server, configured and on record."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    put_on_record(*integrations())
    fake = FakeProcessor()
    settings.BREVO_API_KEY = "brevo-key"
    settings.BREVO_API_URL = fake.url
    settings.GA4_PROPERTY_ID = "123456789"
    settings.GA4_OAUTH_CLIENT_ID = "client"
    settings.GA4_OAUTH_CLIENT_SECRET = "secret"
    settings.GA4_OAUTH_REFRESH_TOKEN = "refresh"
    settings.GA4_OAUTH_TOKEN_URL = f"{fake.url}/token"
    settings.GA4_USER_DELETION_URL = f"{fake.url}/upsert"
    settings.TRAFFT_API_URL = f"{fake.url}/api/v2"
    settings.TRAFFT_CLIENT_ID = "trafft-client"
    settings.TRAFFT_CLIENT_SECRET = "trafft-secret"
    trafft._token = None
    settings.CALCOM_ERASURE_URL = f"{fake.url}/erase"
    settings.CALCOM_WEBHOOK_SECRET = "calcom-secret"
    yield fake
    fake.stop()
    trafft._token = None


def _fields_and_categories(key: str, call: dict) -> dict[str, str | None]:
    """Each field of one captured request with the category its record gives it."""
    integration = integrations()[key]
    fields = outgoing_fields(call["path"], call["body"], call["headers"].get("content-type", ""))
    assert integration.fields_not_allowed(fields) == [], f"{key} was sent {fields}"
    return {name: integration.sends[name] for name in fields}


def _connector_calls() -> list[tuple[str, str]]:
    return [
        (key, kind)
        for key, integration in integrations().items()
        for kind in KINDS
        if integration.connector(kind) is not None
    ]


@pytest.mark.parametrize(("key", "kind"), _connector_calls())
def test_pt_08_every_outgoing_payload_is_within_its_recipients_declared_categories(
    processor, key, kind
):
    integration = integrations()[key]
    processor.answers = list(ANSWERS.get(key, []))
    connector = integration.connector(kind)
    try:
        connector(EVERYTHING, dict(CHANGES)) if kind == RECTIFICATION else connector(EVERYTHING)
    except ManualStepNeeded as by_hand:
        assert not isinstance(by_hand, UndeclaredField), by_hand

    declared = set(get_declaration().recipients[key].data_categories)
    for call in processor.calls:
        categories = set(_fields_and_categories(key, call).values()) - {None}
        assert categories <= declared, f"{key} {kind} sent {categories - declared}"
    # What it does not know the person by never reaches it, in the URL or the body.
    for name, values in EVERYTHING.as_dict().items():
        if name not in integration.known_by:
            for value in values:
                assert not any(
                    value in call["path"] or value.encode() in call["body"]
                    for call in processor.calls
                ), f"{key} {kind} was sent the person's {name}"
    assert {IDENTIFIER_CATEGORIES[name] for name in integration.known_by} <= declared


def test_pt_08_the_calls_that_carry_data_are_captured(processor):
    """The parametrised test above sees real bodies: Brevo's correction carries the new name and
    phone only, never the company or role it has no attribute for."""
    processor.answers = []
    with pytest.raises(ManualStepNeeded, match="company, email, role"):
        email_provider.rectify_contact(EVERYTHING, dict(CHANGES))

    [call] = processor.calls
    assert _fields_and_categories("email_provider", call) == {
        "attributes.FIRSTNAME": "identity",
        "attributes.LASTNAME": "identity",
        "attributes.SMS": "contact",
    }


def test_pt_08_the_retention_reconciliation_asks_brevo_with_paging_fields_only(processor):
    processor.answers = [(200, {"contacts": [], "count": 0})]

    assert email_provider.list_contacts(offset=0, limit=50) == ([], 0)

    [call] = processor.calls
    assert _fields_and_categories("email_provider", call) == {
        "limit": None,
        "offset": None,
        "sort": None,
    }


def test_pt_08_a_field_outside_the_allow_list_is_refused_before_it_leaves(processor, caplog):
    with (
        caplog.at_level(logging.ERROR, logger="processors.connectors"),
        pytest.raises(UndeclaredField, match="attributes.COMPANY"),
    ):
        send(
            "PUT",
            f"{processor.url}/contacts/kari%40klinikk.example",
            recipient="email_provider",
            payload={"attributes": {"FIRSTNAME": "Kari", "COMPANY": "Klinikk Berg AS"}},
        )

    assert processor.calls == []
    assert "fields not allowed: ['attributes.COMPANY']" in caplog.text


def test_pt_08_a_body_that_cannot_be_read_is_refused(processor):
    with pytest.raises(UndeclaredField):
        send(
            "PATCH",
            f"{processor.url}/api/v2/customers/7",
            recipient="trafft",
            body=b"kari@klinikk.example",
        )

    assert processor.calls == []


def test_pt_08_outgoing_fields_are_the_query_and_the_bodys_leaves():
    assert outgoing_fields(
        "https://api.example/v3/x?limit=5&sort=asc",
        b'{"a": {"b": 1, "c": [1, 2]}, "d": "e"}',
        "application/json",
    ) == ["limit", "sort", "a.b", "a.c", "d"]
    assert outgoing_fields(
        "https://oauth.example/token",
        b"grant_type=refresh_token&client_id=x",
        "application/x-www-form-urlencoded",
    ) == ["grant_type", "client_id"]
    assert outgoing_fields("https://api.example/", None) == []


def test_pt_08_brevo_attribute_names_come_from_settings_and_the_allow_list_follows(
    processor, settings
):
    """Accounts name their attributes differently (Brevo's own examples use FNAME/LNAME)."""
    settings.BREVO_ATTRIBUTE_FIRST_NAME = "FNAME"
    settings.BREVO_ATTRIBUTE_LAST_NAME = "LNAME"
    settings.BREVO_ATTRIBUTE_PHONE = "MOBILE"
    processor.answers = []

    email_provider.rectify_contact(
        EVERYTHING, {"name": "Kari Nordmann-Berg", "phone": "+47 999 88 777"}
    )

    [call] = processor.calls
    assert json.loads(call["body"]) == {
        "attributes": {"FNAME": "Kari", "LNAME": "Nordmann-Berg", "MOBILE": "+47 999 88 777"}
    }
    assert _fields_and_categories("email_provider", call) == {
        "attributes.FNAME": "identity",
        "attributes.LNAME": "identity",
        "attributes.MOBILE": "contact",
    }
    # The default names are no longer allowed: nothing is sent under a name the account lacks.
    with pytest.raises(UndeclaredField, match="attributes.FIRSTNAME"):
        send(
            "PUT",
            f"{processor.url}/contacts/kari%40klinikk.example",
            recipient="email_provider",
            payload={"attributes": {"FIRSTNAME": "Kari"}},
        )
