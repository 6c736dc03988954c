"""RIG-04: the real erasure connectors, each against a local HTTP server playing the processor."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from processors import calcom, email_provider, ga4, trafft
from processors.connectors import ConnectorFailed, ManualStepNeeded, ProcessorTarget, send
from processors.testing import put_on_record


class FakeProcessor:
    """A local HTTP server that records each call and answers with the next queued status."""

    def __init__(self):
        self.calls: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                fake.calls.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": self.rfile.read(length),
                    }
                )
                status, body = fake.answers.pop(0) if fake.answers else (204, None)
                self.send_response(status)
                data = json.dumps(body).encode() if body is not None else b""
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def on_record(db, settings, tmp_path):
    """The four processors with their agreements on record: send() refuses any other (DEC-07)."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    return put_on_record("email_provider", "google_analytics", "trafft", "calcom")


@pytest.fixture
def processor(on_record):
    fake = FakeProcessor()
    yield fake
    fake.stop()


def test_rig_04_brevo_contact_is_deleted_by_address(processor, settings):
    settings.BREVO_API_KEY = "brevo-key"
    settings.BREVO_API_URL = processor.url

    email_provider.erase_contact(ProcessorTarget(emails=("kari+test@klinikk.example",)))

    [call] = processor.calls
    assert call["method"] == "DELETE"
    assert call["path"] == "/contacts/kari%2Btest%40klinikk.example"
    assert call["headers"]["api-key"] == "brevo-key"


def test_rig_04_a_contact_brevo_does_not_hold_counts_as_erased(processor, settings):
    settings.BREVO_API_KEY = "brevo-key"
    settings.BREVO_API_URL = processor.url
    processor.answers = [(404, {"code": "document_not_found"})]

    email_provider.erase_contact(ProcessorTarget(emails=("kari@klinikk.example",)))


def test_rig_04_a_brevo_outage_is_a_failure_to_retry(processor, settings):
    settings.BREVO_API_KEY = "brevo-key"
    settings.BREVO_API_URL = processor.url
    processor.answers = [(503, {"message": "maintenance"})]

    with pytest.raises(ConnectorFailed, match="HTTP 503"):
        email_provider.erase_contact(ProcessorTarget(emails=("kari@klinikk.example",)))


def test_rig_04_ga4_deletes_the_client_id_in_the_property(processor, settings):
    settings.GA4_PROPERTY_ID = "123456789"
    settings.GA4_OAUTH_CLIENT_ID = "client"
    settings.GA4_OAUTH_CLIENT_SECRET = "secret"
    settings.GA4_OAUTH_REFRESH_TOKEN = "refresh"
    settings.GA4_OAUTH_TOKEN_URL = f"{processor.url}/token"
    settings.GA4_USER_DELETION_URL = f"{processor.url}/upsert"
    processor.answers = [(200, {"access_token": "ya29.token"}), (200, {"kind": "ok"})]

    ga4.erase_user(ProcessorTarget(client_ids=("1234567.1700000000",)))

    token_call, upsert = processor.calls
    assert b"grant_type=refresh_token" in token_call["body"]
    assert upsert["headers"]["authorization"] == "Bearer ya29.token"
    assert json.loads(upsert["body"]) == {
        "kind": "analytics#userDeletionRequest",
        "propertyId": "123456789",
        "id": {"type": "CLIENT_ID", "userId": "1234567.1700000000"},
    }


def test_rig_04_trafft_erasure_deletes_the_customer_through_api_v2(on_record, settings):
    from processors.fake import FakeTrafftApi

    api = FakeTrafftApi()
    settings.TRAFFT_API_URL = api.url
    settings.TRAFFT_CLIENT_ID, settings.TRAFFT_CLIENT_SECRET = api.client_id, api.client_secret
    kari = api.add_customer("kari@klinikk.example")
    try:
        trafft.erase_customer(
            ProcessorTarget(emails=("kari@klinikk.example",), booking_ids=("8812",))
        )
    finally:
        api.stop()
        trafft._token = None

    assert api.customers == {}
    assert api.calls[-1]["method"] == "DELETE"
    assert api.calls[-1]["path"] == f"/api/v2/customers/{kari}"


def test_rig_04_calcom_erasure_is_signed_like_calcom_webhooks(processor, settings):
    settings.CALCOM_ERASURE_URL = f"{processor.url}/erase"
    settings.CALCOM_WEBHOOK_SECRET = "calcom-secret"

    calcom.erase_attendee(ProcessorTarget(emails=("kari@klinikk.example",), booking_ids=("uid1",)))

    [call] = processor.calls
    assert call["headers"]["x-cal-signature-256"] == calcom.sign(call["body"], "calcom-secret")


@pytest.mark.parametrize(
    ("connector", "target"),
    [
        (email_provider.erase_contact, ProcessorTarget(emails=("a@b.example",))),
        (ga4.erase_user, ProcessorTarget(client_ids=("1.2",))),
        (trafft.erase_customer, ProcessorTarget(booking_ids=("1",))),
        (calcom.erase_attendee, ProcessorTarget(booking_ids=("1",))),
    ],
)
def test_rig_04_an_unconfigured_connector_asks_staff_to_erase_by_hand(settings, connector, target):
    settings.BREVO_API_KEY = ""
    settings.GA4_PROPERTY_ID = ""
    settings.TRAFFT_API_URL = ""
    settings.CALCOM_ERASURE_URL = ""

    with pytest.raises(ManualStepNeeded, match="by hand"):
        connector(target)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "http://example.com/"])
def test_rig_04_connectors_call_only_https(url):
    with pytest.raises(ManualStepNeeded):
        send("GET", url, recipient="email_provider")


def test_rig_04_an_unreachable_processor_is_a_failure_to_retry(on_record, settings):
    settings.BREVO_API_URL = "http://127.0.0.1:9"
    with pytest.raises(ConnectorFailed):
        send("GET", "http://127.0.0.1:9/", recipient="email_provider", timeout=1)
