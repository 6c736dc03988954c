"""RG-06, PRO-01: the disclosure log. A disclosure to a public authority is recorded only with the
legal provision that required it (policy §5: "only where the law requires it"); the person sees
it in their access report; it outlives an erasure request as proof and goes after its period."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from audit.models import AuditEntry
from processors.disclosures import record_disclosure
from processors.models import Disclosure
from retention.models import SweepRun
from retention.services import run_sweep
from rights.access_report import build_access_report
from rights.services import erase_subject
from rights.tests.factories import submit_and_verify
from subjects.models import Subject
from subjects.services import find_or_create_subject

pytestmark = pytest.mark.django_db

EMAIL = "kari@klinikk.example"
TAX_LAW = "skatteforvaltningsloven § 10-2"


@pytest.fixture
def person() -> Subject:
    return find_or_create_subject(email=EMAIL)


def to_the_tax_office(person, **changes) -> Disclosure:
    values = {
        "subject": person,
        "recipient": "authorities",
        "recipient_name": "Skatteetaten, Skatt øst",
        "data_categories": ["identity", "accounting"],
        "disclosed_on": timezone.localdate() - datetime.timedelta(days=2),
        "legal_provision": TAX_LAW,
        "request_reference": "2026/123456",
        "actor": "privacy-officer",
    }
    return record_disclosure(**(values | changes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"legal_provision": ""}, "legal_provision"),
        ({"legal_provision": "   "}, "legal_provision"),
        ({"legal_provision": "skatteforvaltningsloven"}, "legal_provision"),
        ({"request_reference": ""}, "request_reference"),
    ],
)
def test_rg_06_a_disclosure_to_an_authority_without_the_law_that_required_it_is_refused(
    person, changes, field
):
    with pytest.raises(ValidationError) as refused:
        to_the_tax_office(person, **changes)

    assert field in refused.value.message_dict
    assert "§ 10-2" in " ".join(refused.value.message_dict[field]) or field == "request_reference"
    assert not Disclosure.objects.exists()
    assert not AuditEntry.objects.filter(object_type="processors.Disclosure").exists()


def test_rg_06_the_database_itself_refuses_an_authority_disclosure_without_the_law(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.create(
            subject=person,
            recipient="authorities",
            recipient_role="authority",
            recipient_name="Politiet",
            data_categories=["identity"],
            disclosed_on=timezone.localdate(),
        )
    assert not Disclosure.objects.exists()


def test_rg_06_a_disclosure_to_an_authority_with_the_law_is_stored_and_audited(person):
    disclosure = to_the_tax_office(person)

    stored = Disclosure.objects.get()
    assert stored == disclosure
    assert stored.recipient_role == "authority"
    assert stored.legal_provision == TAX_LAW
    assert stored.data_categories == ["identity", "accounting"]
    entry = AuditEntry.objects.get(object_type="processors.Disclosure")
    assert entry.action == "create"
    assert entry.actor == "privacy-officer"
    assert entry.object_id == str(stored.pk)
    assert entry.subject_ref == str(person.public_id)
    assert EMAIL not in entry.reason


def test_rg_06_a_disclosure_to_an_adviser_needs_its_purpose(person):
    values = {
        "subject": person,
        "recipient": "advisers",
        "recipient_name": "Revisjon Nord AS",
        "data_categories": ["accounting"],
        "disclosed_on": timezone.localdate(),
        "actor": "privacy-officer",
    }
    with pytest.raises(ValidationError) as refused:
        record_disclosure(**values)
    assert "adviser_purpose" in refused.value.message_dict
    assert not Disclosure.objects.exists()

    disclosure = record_disclosure(**values, adviser_purpose="Annual audit of the 2026 accounts")
    assert disclosure.recipient_role == "adviser"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipient": "trafft"}, "recipient"),  # a processor, not an authority
        ({"recipient": "nobody"}, "recipient"),
        ({"data_categories": ["message"]}, "data_categories"),  # not declared for authorities
        ({"data_categories": []}, "data_categories"),
        ({"recipient_name": ""}, "recipient_name"),
        ({"recipient_name": "Skatteetaten\nBcc: x@example.com"}, "recipient_name"),
        ({"disclosed_on": None}, "disclosed_on"),
    ],
)
def test_pro_01_only_a_declared_authority_or_adviser_receives_only_its_declared_data(
    person, changes, field
):
    with pytest.raises(ValidationError) as refused:
        to_the_tax_office(person, **changes)

    assert field in refused.value.message_dict
    assert not Disclosure.objects.exists()


def test_rg_06_a_disclosure_cannot_be_recorded_before_it_was_made(person):
    with pytest.raises(ValidationError) as refused:
        to_the_tax_office(person, disclosed_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "disclosed_on" in refused.value.message_dict


@pytest.mark.parametrize("language", ["en", "nb"])
def test_rg_06_the_person_sees_the_disclosure_in_their_access_report(person, language):
    to_the_tax_office(person)

    with translation.override(language):
        report = build_access_report(subject=person, language=language).as_json()

    disclosures = report["records"]["processors.Disclosure"]
    row = disclosures["rows"][0]
    assert row["recipient_name"] == "Skatteetaten, Skatt øst"
    assert row["legal_provision"] == TAX_LAW
    assert row["request_reference"] == "2026/123456"
    assert row["data_categories"] == ["identity", "accounting"]
    labels = {name: field["label"] for name, field in disclosures["fields"].items()}
    if language == "en":
        assert disclosures["name"] == "disclosures to authorities and advisers"
        assert labels["legal_provision"] == "legal provision that required it"
    else:
        assert disclosures["name"] == "utleveringer til myndigheter og rådgivere"
        assert labels["legal_provision"] == "lovbestemmelsen som krevde det"
    assert disclosures["fields"]["legal_provision"]["category"] == "security_record"
    # The activity the disclosure serves, whose recipients are the authorities and advisers.
    assert "bookkeeping" in [p["activity"] for p in report["processing"]]


@pytest.mark.parametrize(
    ("prefix", "heading", "label", "received"),
    [
        (
            "",
            "Disclosures to authorities and advisers",
            "Legal provision that required it",
            "We have also disclosed your data to public authorities",
        ),
        (
            "/nb",
            "Utleveringer til myndigheter og rådgivere",
            "Lovbestemmelsen som krevde det",
            "Vi har også utlevert opplysninger om deg til offentlige myndigheter",
        ),
    ],
)
def test_rg_06_the_person_reads_the_disclosure_in_their_own_report(
    client, person, prefix, heading, label, received
):
    cache.clear()  # the portal's rate limits count in the cache
    to_the_tax_office(person)
    request = submit_and_verify(client)

    page = client.get(f"{prefix}/privacy-requests/{request.public_id}/report/").content.decode()

    assert heading in page
    assert label in page
    assert TAX_LAW in page
    assert "Skatteetaten, Skatt øst" in page
    assert received in page  # under "Who has received your data"


def test_rg_06_an_erasure_keeps_the_disclosure_as_proof_until_its_period_ends(person):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        to_the_tax_office(person, disclosed_on=timezone.localdate())
        report = erase_subject(subject=person, actor="privacy-officer", reason="Art. 17 request")

    kept = {k.label: k for k in report.kept}
    assert "processors.Disclosure" in kept
    assert kept["processors.Disclosure"].law == "GDPR Art. 5(2), 17(3)(e)"
    kept_until = datetime.date.fromisoformat(kept["processors.Disclosure"].kept_until)
    assert 5 * 365 <= (kept_until - timezone.localdate(start)).days <= 5 * 366 + 1
    disclosure = Disclosure.objects.get()
    person.refresh_from_db()
    assert person.email is None  # the subject keeps only its random id

    # Still there just before the 5 years end; gone, with the person's index entry, just after.
    with time_machine.travel(start + datetime.timedelta(days=5 * 365), tick=False):
        run_sweep(trigger=SweepRun.Trigger.SCHEDULE)
    assert Disclosure.objects.filter(pk=disclosure.pk).exists()

    with time_machine.travel(start + datetime.timedelta(days=5 * 366 + 2), tick=False):
        run = run_sweep(trigger=SweepRun.Trigger.SCHEDULE)
    assert not Disclosure.objects.exists()
    assert run.counts.get(rule="disclosure_record").erased == 1
    assert not Subject.objects.filter(pk=person.pk).exists()


def test_rg_06_the_privacy_officer_records_a_disclosure_in_the_back_office(
    privacy_officer_client, person
):
    form = {
        "person": EMAIL,
        "recipient": "authorities",
        "recipient_name": "Skatteetaten",
        "data_categories": ["identity", "accounting"],
        "disclosed_on": timezone.localdate().isoformat(),
        "legal_provision": "",
        "request_reference": "2026/1",
        "adviser_purpose": "",
    }
    unknown = privacy_officer_client.post(
        "/admin/processors/disclosure/add/",
        form | {"person": "someone@else.example", "legal_provision": TAX_LAW},
    )
    assert "No one in our records has this email address" in unknown.content.decode()
    refused = privacy_officer_client.post("/admin/processors/disclosure/add/", form)

    assert refused.status_code == 200
    assert "skatteforvaltningsloven § 10-2" in refused.content.decode()
    assert not Disclosure.objects.exists()

    saved = privacy_officer_client.post(
        "/admin/processors/disclosure/add/", form | {"legal_provision": TAX_LAW}
    )

    assert saved.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.subject == person
    assert disclosure.legal_provision == TAX_LAW
    assert (
        AuditEntry.objects.filter(
            object_type="processors.Disclosure", action="create", object_id=str(disclosure.pk)
        ).count()
        == 1
    )

    # Seen again, it is evidence: shown, never editable, and the view is audited.
    page = privacy_officer_client.get(f"/admin/processors/disclosure/{disclosure.pk}/change/")
    listing = privacy_officer_client.get("/admin/processors/disclosure/")
    assert page.status_code == listing.status_code == 200
    assert TAX_LAW in page.content.decode()
    assert 'name="legal_provision"' not in page.content.decode()
    assert AuditEntry.objects.filter(
        object_type="processors.Disclosure", action="view", object_id=str(disclosure.pk)
    ).exists()
