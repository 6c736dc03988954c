"""DEC-07 on the server: every outbound call goes to a host declared for its recipient, whose
agreement is on record (PT-02); anything else is refused before it leaves, loudly."""

import logging
import urllib.request

import pytest

from processors import email_provider, trafft
from processors.checks import check_processor_urls_are_declared
from processors.connectors import ProcessorTarget, UndeclaredHost, outbound_refusal, send
from processors.models import Recipient
from processors.services import sync_register
from processors.testing import put_on_record
from rights.models import ProcessorNotice
from rights.services import pass_on_notice
from rights.tests.test_rig_04_connectors import FakeProcessor

KARI = ProcessorTarget(emails=("kari@klinikk.example",))


@pytest.fixture
def nothing_leaves(monkeypatch):
    """Fail the test if anything reaches the network layer."""

    def refuse(*args, **kwargs):
        raise AssertionError("a refused call was sent")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.fixture
def local_processor():
    fake = FakeProcessor()
    yield fake
    fake.stop()


def test_dec_07_server_a_connector_calling_an_undeclared_host_fails_loudly(
    db, settings, caplog, nothing_leaves
):
    put_on_record("email_provider")
    settings.BREVO_API_KEY = "brevo-key"
    settings.BREVO_API_URL = "https://api.brevo-mirror.example/v3"

    with (
        caplog.at_level(logging.ERROR, logger="processors.connectors"),
        pytest.raises(UndeclaredHost) as refused,
    ):
        email_provider.erase_contact(KARI)

    message = str(refused.value)
    assert "api.brevo-mirror.example" in message
    assert "does not name api.brevo-mirror.example as a host of Brevo" in message
    assert "api.brevo.com" in message  # what is declared, so staff see what to fix
    assert "Refused an outbound call to api.brevo-mirror.example for email_provider" in caplog.text


def test_dec_07_server_the_refusal_waits_for_staff_on_the_retried_notice_path(
    db, settings, nothing_leaves
):
    put_on_record("email_provider")
    settings.BREVO_API_KEY = "brevo-key"
    settings.BREVO_API_URL = "https://api.brevo-mirror.example/v3"
    job = ProcessorNotice.objects.create(
        processor="email_provider", identifiers={"emails": ["kari@klinikk.example"]}
    )

    assert pass_on_notice(job_id=job.pk) == ProcessorNotice.Status.MANUAL

    job.refresh_from_db()
    assert "Refused to send to api.brevo-mirror.example for email_provider" in job.last_error
    assert job.next_attempt_at is None  # not retried blindly: the declaration must change first


def test_dec_07_server_a_declared_host_without_agreement_on_record_is_refused(
    db, settings, nothing_leaves
):
    sync_register()  # Brevo is in the register, with no agreement recorded
    assert Recipient.objects.get(key="email_provider").dpa_signed_on is None
    settings.BREVO_API_KEY = "brevo-key"
    settings.BREVO_API_URL = "https://api.brevo.com/v3"

    with pytest.raises(UndeclaredHost, match="No data processing agreement on record"):
        email_provider.erase_contact(KARI)


def test_dec_07_server_a_declared_host_with_its_agreement_goes_through(
    db, settings, local_processor
):
    put_on_record("email_provider")
    settings.BREVO_API_KEY = "brevo-key"
    # The test server plays Brevo: a loopback URL in Brevo's own setting counts as Brevo's.
    settings.BREVO_API_URL = local_processor.url

    email_provider.erase_contact(KARI)

    [call] = local_processor.calls
    assert call["method"] == "DELETE"


def test_dec_07_server_a_local_url_counts_only_for_the_recipient_whose_setting_names_it(
    db, settings, local_processor, nothing_leaves
):
    put_on_record("email_provider", "trafft")
    settings.TRAFFT_API_URL = f"{local_processor.url}/api/v2"
    settings.BREVO_API_URL = "https://api.brevo.com/v3"

    with pytest.raises(UndeclaredHost, match="does not name 127.0.0.1"):
        send("DELETE", f"{local_processor.url}/contacts/x", recipient="email_provider")
    assert local_processor.calls == []


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://wekst.trafft.com/api/v2/customers/7", True),
        ("https://trafft.com.attacker.example/erase", False),
        ("https://api.brevo.com/v3/contacts/x", False),  # Brevo's host, not Trafft's
    ],
)
def test_dec_07_server_hosts_match_the_recipients_declared_patterns(db, settings, url, allowed):
    put_on_record("trafft")

    assert (outbound_refusal(recipient="trafft", url=url) is None) is allowed


def test_dec_07_server_a_recipient_not_in_the_declaration_is_refused(db, nothing_leaves):
    with pytest.raises(UndeclaredHost, match="'tracker' is not a recipient in the declaration"):
        send("POST", "https://api.tracker.example/", recipient="tracker")


def test_dec_07_server_every_connector_names_its_recipient(db, settings, nothing_leaves):
    """Trafft's erasure, pointed at a host outside its declared *.trafft.com, is refused too."""
    put_on_record("trafft")
    settings.TRAFFT_API_URL = "https://trafft.elsewhere.example/api/v2"
    settings.TRAFFT_CLIENT_ID, settings.TRAFFT_CLIENT_SECRET = "client", "secret"

    with pytest.raises(UndeclaredHost, match="trafft.elsewhere.example"):
        trafft.erase_customer(ProcessorTarget(emails=("a@b.example",), booking_ids=("1",)))


def test_dec_07_server_a_processor_url_at_an_undeclared_host_is_named_at_start_up(settings):
    settings.TRAFFT_API_URL = "https://trafft.elsewhere.example/api/v2"

    [warning] = check_processor_urls_are_declared()
    assert warning.id == "processors.W004"
    assert "TRAFFT_API_URL points at trafft.elsewhere.example" in warning.msg

    settings.PRODUCTION = True
    assert [m.id for m in check_processor_urls_are_declared()] == ["processors.E004"]
    settings.TRAFFT_API_URL = "https://wekst.trafft.com/api/v2"
    assert check_processor_urls_are_declared() == []
