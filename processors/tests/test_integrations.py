"""The provider integrations and the declaration agree both ways (PRO-01), and every field an
integration may send is of a data category declared for its recipient (PT-08)."""

from django.conf import settings

from declaration.selectors import get_declaration
from leads.models import Meeting
from processors.connectors import CONNECTORS
from processors.integration import (
    ACTIVITIES,
    BOOKINGS,
    CLIENT_IDS,
    IDENTIFIER_CATEGORIES,
    KINDS,
    integrations,
)
from processors.models import Role
from processors.providers import INTEGRATIONS


def test_pro_01_every_integration_is_a_declared_processor_with_its_hosts():
    recipients = get_declaration().recipients
    for integration in integrations().values():
        declared = recipients.get(integration.key)
        assert declared is not None, f"{integration.key} is not a recipient in the declaration"
        assert declared.role == Role.PROCESSOR, integration.key
        assert declared.server_hosts, f"the declaration names no server_hosts of {integration.key}"


def test_pro_01_every_recipient_our_server_calls_has_an_integration():
    called = {
        key for key, declared in get_declaration().recipients.items() if declared.server_hosts
    }
    assert called, "the declaration names no recipient our server calls"
    assert called == set(integrations())


def test_pro_01_an_integration_holds_the_data_categories_declared_for_its_recipient():
    recipients = get_declaration().recipients
    for key, integration in integrations().items():
        assert set(integration.data_categories) == set(recipients[key].data_categories), key


def test_pro_01_each_integration_is_collected_once_under_its_own_key():
    keys = [integration.key for integration in INTEGRATIONS]
    assert len(keys) == len(set(keys))
    assert list(integrations()) == keys


def test_pro_01_an_integrations_settings_exist():
    for integration in integrations().values():
        for name in (integration.setting, *integration.url_settings):
            if name != "EMAIL_BACKEND":  # read into MAILERS (the email provider's own switch)
                assert hasattr(settings, name), f"{integration.key}: no setting {name}"
        assert integration.received_through in (BOOKINGS, ACTIVITIES, CLIENT_IDS)


def test_pro_01_the_connector_registry_is_read_from_the_records():
    for kind in KINDS:
        assert CONNECTORS[kind] == {
            key: integration.connector(kind)
            for key, integration in integrations().items()
            if integration.connector(kind) is not None
        }
    assert set(CONNECTORS["erasure"]) == set(integrations())


def test_pro_01_meetings_are_booked_through_the_booking_integrations_only():
    booking = {key for key, i in integrations().items() if i.received_through == BOOKINGS}
    assert set(Meeting.Provider.values) == booking


def test_pt_08_every_field_an_integration_may_send_is_of_a_declared_category():
    recipients = get_declaration().recipients
    for key, integration in integrations().items():
        declared = set(recipients[key].data_categories)
        sent = {category for category in integration.sends.values() if category is not None}
        assert sent <= declared, f"{key} may be sent {sent - declared}, not declared for it"
        known = {IDENTIFIER_CATEGORIES[name] for name in integration.known_by}
        assert known <= declared, f"{key} knows the person by {known - declared}, not declared"
