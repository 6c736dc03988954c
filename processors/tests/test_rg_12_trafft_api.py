"""RG-12, RIG-04: erasure and corrections reach Trafft through its API v2, against a local server
speaking Trafft's documented shapes (processors.fake.FakeTrafftApi; sources:
trafft.com/docs/custom-features/api/ and documenter.getpostman.com/view/1487056/2sAY4x9MRe, as
gathered in ../shared/providers.md): the OAuth2 token, the paged customer list, DELETE and PATCH."""

import json
from urllib.parse import parse_qs

import pytest

from processors import trafft
from processors.connectors import ConnectorFailed, ManualStepNeeded, ProcessorTarget
from processors.fake import FakeTrafftApi
from processors.testing import put_on_record
from rights.models import ProcessorNotice

KARI = ProcessorTarget(
    emails=("kari@klinikk.example",), phones=("+4791234567",), booking_ids=("trafft-abc",)
)


@pytest.fixture
def api(db, settings, tmp_path):
    """Trafft's API v2 on this machine, with its credentials set and its agreement on record."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    put_on_record("trafft")
    fake = FakeTrafftApi()
    settings.TRAFFT_API_URL = fake.url
    settings.TRAFFT_CLIENT_ID = fake.client_id
    settings.TRAFFT_CLIENT_SECRET = fake.client_secret
    trafft._token = None
    yield fake
    trafft._token = None
    fake.stop()


def _paths(api: FakeTrafftApi) -> list[str]:
    return [f"{c['method']} {c['path'].removeprefix('/api/v2')}" for c in api.calls]


def test_rg_12_trafft_erasure_deletes_the_customer_found_by_address(api):
    api.add_customer("ola@klinikk.example")
    kari = api.add_customer("Kari@Klinikk.example")

    trafft.erase_customer(KARI)

    assert kari not in api.customers and len(api.customers) == 1
    token, listing, delete = api.calls
    assert token["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token["body"].decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["trafft-client"],
        "client_secret": ["trafft-secret"],
    }
    assert listing["path"] == "/api/v2/customers?page=1&limit=100"
    assert delete["method"] == "DELETE" and delete["path"] == f"/api/v2/customers/{kari}"
    assert delete["headers"]["authorization"] == "Bearer token-1"


def test_rg_12_trafft_customers_are_found_across_pages_within_a_bound(api, monkeypatch):
    monkeypatch.setattr(trafft, "PAGE_LIMIT", 2)
    for n in range(4):
        api.add_customer(f"other{n}@klinikk.example")
    kari = api.add_customer("kari@klinikk.example")  # on page 3

    trafft.erase_customer(KARI)

    assert kari not in api.customers
    assert _paths(api)[1:4] == [
        "GET /customers?page=1&limit=2",
        "GET /customers?page=2&limit=2",
        "GET /customers?page=3&limit=2",
    ]

    # Past the bound, staff are asked to find the customer by hand: nothing is deleted.
    monkeypatch.setattr(trafft, "MAX_PAGES", 1)
    api.add_customer("kari@klinikk.example")
    with pytest.raises(ManualStepNeeded, match="has no search: find the customer by hand"):
        trafft.erase_customer(KARI)
    assert len(api.customers) == 5


def test_rg_12_trafft_token_is_kept_until_expiry_and_asked_again_once_on_401(api):
    api.add_customer("kari@klinikk.example")

    trafft.rectify_customer(KARI, {"phone": "+4799988777"})
    trafft.rectify_customer(KARI, {"phone": "+4799988778"})
    assert api.tokens_issued == 1  # the token was reused

    api.revoke_token()  # Trafft ends it early: the next call answers 401
    trafft.rectify_customer(KARI, {"phone": "+4799988779"})

    assert api.tokens_issued == 2
    assert [c["phone"] for c in api.customers.values()] == ["+4799988779"]

    # A token refused again right after a fresh one is not asked for a third time: retried.
    api.client_secret = "rotated"
    api.revoke_token()
    with pytest.raises(ConnectorFailed, match="Trafft token: HTTP 401"):
        trafft.erase_customer(KARI)


def test_rg_12_trafft_correction_sends_only_the_corrected_fields(api):
    kari = api.add_customer("kari@klinikk.example")

    trafft.rectify_customer(
        KARI,
        {"name": "Kari Nordmann-Berg", "email": "kari.berg@klinikk.example", "role": "CEO"},
    )

    patch = api.calls[-1]
    assert patch["method"] == "PATCH" and patch["path"] == f"/api/v2/customers/{kari}"
    assert json.loads(patch["body"]) == {
        "first_name": "Kari",
        "last_name": "Nordmann-Berg",
        "email": "kari.berg@klinikk.example",
    }
    assert api.customers[kari]["phone"] == "+4791234567"  # not corrected, not sent


def test_rg_12_a_customer_trafft_does_not_hold_is_done(api):
    api.add_customer("ola@klinikk.example")

    trafft.erase_customer(KARI)
    trafft.rectify_customer(KARI, {"phone": "+4799988777"})

    assert [p for p in _paths(api) if not p.startswith(("POST /token", "GET"))] == []
    assert len(api.customers) == 1


def test_rg_12_a_trafft_outage_is_retried_through_the_notice(api):
    """The real connector on the retried notice path: a 503 leaves the job pending with a retry
    scheduled; the next attempt deletes the customer and the job is done."""
    from rights.services.processor_notices import pass_on_notice

    kari = api.add_customer("kari@klinikk.example")
    job = ProcessorNotice.objects.create(
        processor="trafft", kind="erasure", identifiers=KARI.as_dict()
    )
    api.outages = 1

    assert pass_on_notice(job_id=job.pk) == ProcessorNotice.Status.PENDING
    job.refresh_from_db()
    assert "HTTP 503" in job.last_error and job.next_attempt_at is not None
    assert kari in api.customers

    assert pass_on_notice(job_id=job.pk) == ProcessorNotice.Status.DONE
    assert kari not in api.customers


def test_rg_12_trafft_without_credentials_asks_staff_and_restriction_always_does(api, settings):
    settings.TRAFFT_CLIENT_SECRET = ""
    with pytest.raises(ManualStepNeeded, match="Delete the customer .* by hand"):
        trafft.erase_customer(KARI)
    with pytest.raises(ManualStepNeeded, match="Correct phone by hand"):
        trafft.rectify_customer(KARI, {"phone": "+4799988777"})
    settings.TRAFFT_CLIENT_SECRET = api.client_secret
    with pytest.raises(ManualStepNeeded, match="Trafft has no API to restrict a customer"):
        trafft.restrict_customer(KARI)
    assert api.calls == []
    assert not ProcessorNotice.objects.exists()
