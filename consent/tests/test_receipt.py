"""Consent receipts and the banner text behind each decision (CK-08, CK-09).

The banner text is worked out here independently of consent/banner.py: from the page the visitor
was served, with regular expressions instead of an HTML parser, by the rule docs/consent.md gives.
"""

import csv
import dataclasses
import hashlib
import html
import io
import json
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from consent import selectors, services
from consent.models import BannerText, ConsentDecision
from consent.state import COOKIE_NAME
from consent.tests.conftest import JSON, SAME_ORIGIN
from consent.tests.factories import give_cookie, make_decision
from declaration.schema import Text
from declaration.selectors import get_declaration

pytestmark = pytest.mark.django_db

KANTARA_FIELDS = {
    "version",
    "jurisdiction",
    "consentTimestamp",
    "collectionMethod",
    "consentReceiptID",
    "language",
    "piiPrincipalId",
    "piiControllers",
    "policyUrl",
    "services",
    "sensitive",
    "spiCat",
}
PURPOSE_FIELDS = {
    "purpose",
    "purposeCategory",
    "consentType",
    "piiCategory",
    "primaryPurpose",
    "termination",
    "thirdPartyDisclosure",
    "thirdPartyName",
}


def banner_text(page: str) -> str:
    """The text of the banner's form in a served page: a line per block element, entities
    decoded, whitespace collapsed, empty lines dropped."""
    form = re.search(r'<div id="wekst-consent".*?<form\b[^>]*>(.*?)</form>', page, re.S).group(1)
    form = re.sub(
        r"</?(?:p|h2|button|details|summary|fieldset|legend|label|div|br)\b[^>]*>", "\n", form
    )
    text = html.unescape(re.sub(r"<[^>]*>", "", form))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response, json.loads(response.content)


@pytest.mark.parametrize("prefix", ["", "/nb"])
def test_ck_08_the_log_keeps_the_sha256_of_the_banner_text_the_visitor_was_shown(
    client, decide, prefix
):
    shown = banner_text(client.get(f"{prefix}/").content.decode())
    assert "Accept all" in shown or "Godta alle" in shown  # the first layer
    assert str(get_declaration().activities["analytics"].purpose.in_language(prefix[1:] or "en"))[
        :40
    ] in " ".join(shown.split("\n"))  # and the settings layer

    decide({"choice": "accept_all"}, path=f"{prefix}/consent/")

    decision = ConsentDecision.objects.get()
    assert decision.banner_text_hash == sha256(shown)
    kept = BannerText.objects.get(sha256=decision.banner_text_hash)
    assert kept.text == shown
    assert (kept.language, kept.banner_version) == (decision.language, decision.banner_version)


def test_ck_08_each_language_has_its_own_text_and_hash(client, decide):
    decide({"choice": "reject_all"})
    decide({"choice": "reject_all"}, path="/nb/consent/")

    english, norwegian = ConsentDecision.objects.order_by("id")
    assert english.banner_text_hash != norwegian.banner_text_hash
    assert BannerText.objects.get(sha256=norwegian.banner_text_hash).text == banner_text(
        client.get("/nb/").content.decode()
    )


def test_ck_08_the_hash_changes_when_the_banner_text_changes(client, decide, monkeypatch):
    before = banner_text(client.get("/").content.decode())
    decide({"choice": "accept_all"})
    first = ConsentDecision.objects.get()

    declaration = get_declaration()
    analytics = dataclasses.replace(
        declaration.activities["analytics"],
        purpose=Text(
            en="To count visits, and nothing else.", nb="Å telle besøk, og ikke noe annet."
        ),
    )
    changed = dataclasses.replace(
        declaration, activities={**declaration.activities, "analytics": analytics}
    )
    monkeypatch.setattr(selectors, "get_declaration", lambda: changed)
    services.forget_banner_texts()  # as a new process after the deployment would
    after = banner_text(client.get("/").content.decode())
    decide({"choice": "reject_all"})

    second = ConsentDecision.objects.first()
    assert "To count visits, and nothing else." in after and after != before
    assert second.banner_version == first.banner_version  # same version, other words
    assert second.banner_text_hash == sha256(after) != first.banner_text_hash
    assert BannerText.objects.count() == 2


def test_ck_08_the_text_is_worked_out_once_not_for_each_decision(django_assert_num_queries):
    def record():
        return services.record_consent(
            consent_id=None, action="accept_all", method="banner", gpc=False, language="nb", ip=None
        )

    first = record()
    with django_assert_num_queries(1):  # the INSERT, nothing else
        second = record()
    assert second.banner_text_hash == first.banner_text_hash
    assert len(second.banner_text_hash) == 64


def test_ck_09_the_receipt_has_every_kantara_field_with_the_declarations_values(client, decide):
    answer = decide({"choice": "choose", "analytics": "1", "embedded": "1"}).json()
    decision = ConsentDecision.objects.get()

    response, receipt = download(client, answer["receipt_url"])

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="consent-receipt-{decision.public_id}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    assert receipt.keys() >= KANTARA_FIELDS
    declaration = get_declaration()
    controller = declaration.controller
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["jurisdiction"] == "NO"
    assert receipt["consentTimestamp"] == int(decision.decided_at.timestamp())
    assert receipt["consentReceiptID"] == str(decision.public_id)
    assert receipt["language"] == "en"
    assert receipt["piiPrincipalId"] == str(decision.consent_id) == answer["consent_id"]
    assert receipt["collectionMethod"].startswith("Cookie banner on https://wekst.com")
    assert receipt["piiControllers"] == [
        {
            "piiController": "Harwest AS (Wekst)",
            "onBehalf": False,
            "contact": "Privacy contact at Wekst",
            "address": {
                "streetAddress": controller.address.in_language("en"),
                "addressCountry": "NO",
            },
            "email": controller.email,
            "piiControllerUrl": controller.website,
        }
    ]
    assert receipt["policyUrl"] == "http://testserver/privacy/"
    assert receipt["sensitive"] is False and receipt["spiCat"] == []
    assert receipt["bannerVersion"] == declaration.cookie_version.version
    assert receipt["bannerTextHash"] == decision.banner_text_hash
    assert sha256(receipt["bannerText"]) == decision.banner_text_hash
    assert receipt["policyVersion"] == declaration.current.version

    services_ = {service["service"]: service["purposes"] for service in receipt["services"]}
    assert list(services_) == ["Analytics", "Marketing", "Embedded media"]
    expected = {
        "Analytics": ("analytics", "16 - Improve Performance", "given", ["Google Analytics 4"]),
        "Marketing": ("advertising", "6 - Marketing", "refused", ["Google Ads"]),
        "Embedded media": (
            "embedded_content",
            "10 - 3rd Party Sharing for Core Function",
            "given",
            ["YouTube", "Google Maps"],
        ),
    }
    expires = (decision.decided_at + timezone.timedelta(days=365)).isoformat()
    for name, (key, category, status, third_parties) in expected.items():
        [purpose] = services_[name]
        activity = declaration.activities[key]
        assert purpose.keys() >= PURPOSE_FIELDS
        assert purpose["purpose"] == activity.purpose.en
        assert purpose["purposeCategory"] == [category]
        assert purpose["consentType"] == "EXPLICIT"
        assert purpose["piiCategory"] == [
            declaration.data_categories[c].name.en for c in activity.data_categories
        ]
        assert purpose["primaryPurpose"] is False
        assert purpose["termination"].startswith("365 days after this decision, at ")
        assert expires[:19] in purpose["termination"]
        assert purpose["thirdPartyDisclosure"] is True
        for recipient in activity.recipients:
            entry = declaration.recipients[recipient]
            assert f"{entry.name} ({entry.legal_entity})" in purpose["thirdPartyName"]
        assert all(third in purpose["thirdPartyName"] for third in third_parties)
        assert purpose["consentStatus"] == status
    assert receipt["choices"] == {
        "necessary": True,
        "analytics": True,
        "marketing": False,
        "embedded": True,
    }


def test_ck_09_the_receipt_is_in_the_language_the_visitor_chose_in(client, decide):
    answer = decide({"choice": "accept_all"}, path="/nb/consent/").json()

    _, receipt = download(client, answer["receipt_url"])

    declaration = get_declaration()
    assert answer["receipt_url"].startswith("/nb/consent/receipt/")
    assert receipt["language"] == "nb"
    assert receipt["policyUrl"] == "http://testserver/nb/privacy/"
    assert [s["service"] for s in receipt["services"]] == [
        "Analyse",
        "Markedsføring",
        "Innebygde medier",
    ]
    assert receipt["services"][0]["purposes"][0]["purpose"] == (
        declaration.activities["analytics"].purpose.nb
    )
    assert receipt["services"][0]["purposes"][0]["termination"].startswith("365 dager etter")
    assert receipt["collectionMethod"].startswith("Cookie-banneret på https://wekst.com")
    assert receipt["piiControllers"][0]["contact"] == "Personvernkontakt hos Wekst"


def test_ck_09_another_visitors_consent_id_gets_a_404(client, decide):
    answer = decide({"choice": "accept_all"}).json()
    mine = ConsentDecision.objects.get()
    other = make_decision()

    stranger = Client()
    give_cookie(stranger, other)
    assert stranger.get(answer["receipt_url"]).status_code == 404
    assert stranger.get(f"/consent/receipt/{mine.consent_id}/").status_code == 404
    # Their own receipt id under someone else's consent id opens nothing either.
    assert stranger.get(f"/consent/receipt/{mine.consent_id}/{other.public_id}/").status_code == 404
    assert client.get(f"/consent/receipt/{mine.consent_id}/{other.public_id}/").status_code == 404
    assert client.get(f"/consent/receipt/{other.consent_id}/").status_code == 404
    # Without any cookie, nothing at all.
    assert Client().get(answer["receipt_url"]).status_code == 404
    # The holder gets theirs.
    assert client.get(answer["receipt_url"]).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/consent/receipt/not-a-uuid/",
        "/consent/receipt/6f1c1b5e-2b8a-4f57-9b0e-0c6f7d0d9a1/",
        "/consent/receipt/{consent_id}/zzz/",
        "/consent/receipt/{consent_id}/%00/",
        "/consent/receipt/{consent_id}/{consent_id}/",
        "/consent/receipt/" + "f" * 3000 + "/",
        "/consent/receipt/{consent_id}/{{00000000-0000-0000-0000-000000000000}}/",
    ],
)
def test_ck_09_a_malformed_or_unknown_id_is_a_404_never_a_server_error(client, path):
    decision = make_decision()
    give_cookie(client, decision)

    response = client.get(path.format(consent_id=decision.consent_id))

    assert response.status_code == 404
    assert "A receipt opens only in the browser that made the choice" in response.content.decode()


@pytest.mark.parametrize("cookie", ["", "garbage", "not|a|cookie", "x" * 5000, "%00|a1m1e1|2026.2"])
def test_ck_09_a_malformed_cookie_opens_no_receipt(client, cookie):
    decision = make_decision()
    client.cookies[COOKIE_NAME] = cookie

    response = client.get(f"/consent/receipt/{decision.consent_id}/")

    assert response.status_code == 404


def test_ck_09_the_receipt_is_only_read_never_posted(client):
    decision = make_decision()
    give_cookie(client, decision)

    url = f"/consent/receipt/{decision.consent_id}/"
    response = client.post(url, headers=SAME_ORIGIN)
    assert response.status_code == 405
    assert client.head(url).status_code == 200


def test_ck_09_a_withdrawal_shows_in_the_receipt_and_the_history(client, decide):
    given = decide({"choice": "accept_all"}).json()
    withdrawn = decide({"choice": "reject_all", "method": "settings"}).json()
    assert withdrawn["consent_id"] == given["consent_id"]
    first, second = ConsentDecision.objects.order_by("id")

    _, latest = download(client, f"/consent/receipt/{given['consent_id']}/")
    _, receipt = download(client, withdrawn["receipt_url"])
    _, earlier = download(client, given["receipt_url"])

    assert latest == receipt
    assert receipt["consentReceiptID"] == str(second.public_id)
    assert receipt["choice"] == "reject_all"
    assert receipt["collectionMethod"].startswith("Cookie settings on https://wekst.com")
    statuses = [p["consentStatus"] for s in receipt["services"] for p in s["purposes"]]
    assert statuses == ["withdrawn", "withdrawn", "withdrawn"]
    assert {p["consentStatus"] for s in earlier["services"] for p in s["purposes"]} == {"given"}
    assert [h["consentReceiptID"] for h in receipt["history"]] == [
        str(second.public_id),
        str(first.public_id),
    ]
    assert [h["choice"] for h in receipt["history"]] == ["reject_all", "accept_all"]
    assert receipt["history"][1]["receiptUrl"] == "http://testserver" + given["receipt_url"]
    assert earlier["history"] == receipt["history"]


def test_ck_09_a_gpc_refusal_says_so_in_the_receipt(client, decide):
    answer = decide({"choice": "accept_all"}, headers={"Sec-GPC": "1"}).json()

    _, receipt = download(client, answer["receipt_url"])

    assert receipt["gpc"] is True
    assert "Global Privacy Control" in receipt["collectionMethod"]
    statuses = {s["service"]: s["purposes"][0]["consentStatus"] for s in receipt["services"]}
    assert statuses == {"Analytics": "refused", "Marketing": "refused", "Embedded media": "given"}


def test_ck_09_the_banner_offers_the_receipt_only_after_a_choice(client, decide):
    first_visit = client.get("/").content.decode()
    assert re.search(r'<p class="wc-note wc-receipt" hidden><a href="" download>', first_visit)

    decide({"choice": "reject_all"})
    decision = ConsentDecision.objects.get()
    page = client.get("/").content.decode()

    link = re.search(r'<p class="wc-note wc-receipt"><a href="([^"]+)" download>([^<]+)</a>', page)
    assert link.group(1) == f"/consent/receipt/{decision.consent_id}/{decision.public_id}/"
    assert link.group(2) == "Download a receipt"
    # A plain link: it works without JavaScript, with the cookie the browser already holds.
    assert client.get(link.group(1))["Content-Type"] == "application/json"
    # The link is outside the text the log keeps, so a receipt link never changes the hash.
    assert banner_text(page) == banner_text(first_visit)


def test_ck_09_the_receipt_carries_no_identifier_but_the_random_consent_id(client, decide):
    answer = decide({"choice": "accept_all"}, REMOTE_ADDR="203.0.113.77").json()

    response, _ = download(client, answer["receipt_url"])

    body = response.content.decode()
    assert "203.0.113" not in body
    found = set(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", body))
    decision = ConsentDecision.objects.get()
    assert found == {str(decision.consent_id), str(decision.public_id)}
    assert not response.cookies  # no new cookie


def test_ck_09_every_decision_gets_its_own_random_receipt_id():
    ids = {make_decision().public_id for _ in range(3)}
    assert len(ids) == 3 and all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)


def test_ck_09_the_json_answer_and_the_stored_row_agree(decide):
    answer = decide({"choice": "accept_all"}, headers=JSON).json()
    decision = ConsentDecision.objects.get()
    assert answer["receipt_url"].endswith(f"/{decision.public_id}/")


def test_ck_08_staff_see_the_wording_behind_a_decisions_hash(
    client, decide, privacy_officer_client
):
    decide({"choice": "accept_all"}, path="/nb/consent/")
    decision = ConsentDecision.objects.get()

    export = privacy_officer_client.post(
        "/admin/consent/consentdecision/",
        {"action": "export_csv", "_selected_action": [decision.pk]},
    )
    header, row = csv.reader(io.StringIO(b"".join(export.streaming_content).decode()))
    assert row[header.index("banner_text_hash")] == decision.banner_text_hash
    assert row[header.index("public_id")] == str(decision.public_id)

    page = privacy_officer_client.get(
        "/admin/consent/bannertext/", {"q": decision.banner_text_hash}
    )
    assert page.status_code == 200 and decision.banner_text_hash in page.content.decode()
    detail = privacy_officer_client.get(
        f"/admin/consent/bannertext/{decision.banner_text_hash}/change/"
    )
    assert "Godta alle" in detail.content.decode()
    assert (
        privacy_officer_client.post(
            f"/admin/consent/bannertext/{decision.banner_text_hash}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert BannerText.objects.filter(sha256=decision.banner_text_hash).exists()


def test_ck_09_a_refused_receipt_is_told_in_the_visitors_language(client):
    response = client.get(f"/nb/consent/receipt/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert "Ingen kvittering her" in response.content.decode()

    response = client.get(f"/consent/receipt/{uuid.uuid4()}/", headers=JSON)
    assert response.status_code == 404
    assert response.json()["error"].startswith("A receipt opens only in the browser")
