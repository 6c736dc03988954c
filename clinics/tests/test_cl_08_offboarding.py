"""CL-08: at the end of an engagement the clinic chooses return or deletion; the system exports the
clinic's data (return), deletes it here and at the processors that received it (the retried
erasure notice of RG-12), and issues a deletion certificate that holds no patient's data, signed
by the responsible staff member (GDPR Art. 28(3)(g)). Accounting records are kept (bfl. § 13)."""

import datetime
import hashlib
import io
import json
import zipfile

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from clinics.models import Offboarding
from clinics.offboarding import (
    OffboardingRefused,
    delete_clinic_data,
    export_clinic_data,
    issue_deletion_certificate,
    record_end_choice,
)
from clinics.tests.factories import make_accounting_record, make_clinic
from leads.models import Lead, Meeting
from leads.tests.factories import make_lead
from processors import connectors
from processors.fake import FakeConnector
from rights.models import ProcessorNotice

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PATIENT = "kari.pasient@example.no"


@pytest.fixture(autouse=True)
def fake_connectors(monkeypatch) -> dict[str, FakeConnector]:
    fakes = {key: FakeConnector() for key in connectors.CONNECTORS[connectors.ERASURE]}
    for key, fake in fakes.items():
        monkeypatch.setitem(connectors.CONNECTORS[connectors.ERASURE], key, fake)
    return fakes


@pytest.fixture
def clinic():
    """A clinic whose engagement ended yesterday, with a patient's enquiry and Trafft booking."""
    today = timezone.localdate()
    clinic = make_clinic(
        engaged_from=today - 300 * DAY,
        engaged_until=today - DAY,
        agreement_signed_on=today - 300 * DAY,
    )
    lead = make_lead(clinic=clinic, email=PATIENT, name="Kari Pasient", source="clinic_form:x")
    Meeting.objects.create(
        lead=lead, subject=lead.subject, provider="trafft", provider_booking_id="appt-77",
        status="booked",
    )  # fmt: skip
    make_accounting_record(clinic=clinic, year_end=datetime.date(today.year, 12, 31))
    return clinic


def choose(clinic, choice):
    return record_end_choice(
        clinic=clinic, choice=choice, chosen_on=timezone.localdate(),
        instructed_by="Ola Personvern, the clinic's DPO", actor="privacy-officer",
    )  # fmt: skip


def test_cl_08_return_exports_every_record_of_the_clinic_as_json_and_csv(clinic):
    other = make_lead(email="someone@else.example")  # Wekst's own lead: not the clinic's
    offboarding = export_clinic_data(offboarding=choose(clinic, "return"), actor="po")

    data = offboarding.export.read()
    assert hashlib.sha256(data).hexdigest() == offboarding.export_sha256
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == [
        "leads.csv", "leads.json", "manifest.json", "meetings.csv", "meetings.json",
    ]  # fmt: skip
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["counts"] == {"leads": 1, "meetings": 1}
    [lead] = json.loads(archive.read("leads.json"))
    assert lead["email"] == PATIENT and other.email not in archive.read("leads.csv").decode()
    assert "appt-77" in archive.read("meetings.csv").decode()
    assert AuditEntry.objects.filter(object_type="clinics.Offboarding", action="export").exists()


def test_cl_08_deletion_deletes_here_tells_the_processors_and_keeps_accounting(
    clinic, fake_connectors, run_tasks
):
    own = make_lead(email="someone@else.example")
    offboarding = delete_clinic_data(offboarding=choose(clinic, "deletion"), actor="po")

    assert not Lead.objects.filter(clinic=clinic).exists() and not Meeting.objects.exists()
    assert Lead.objects.filter(pk=own.pk).exists()
    assert offboarding.deleted_counts == {"leads": 1, "meetings": 1}
    assert clinic.primaryaccountingrecords.count() == 1
    notices = ProcessorNotice.objects.filter(public_id__in=offboarding.processor_notices)
    assert "trafft" in {n.processor for n in notices}
    assert {n.kind for n in notices} == {"erasure"}

    with pytest.raises(OffboardingRefused, match="Waiting for the processors"):
        issue_deletion_certificate(offboarding=offboarding, signer="po")
    run_tasks()
    [target] = fake_connectors["trafft"].calls
    assert target.booking_ids == ("appt-77",)


def test_cl_08_the_certificate_names_counts_processors_and_signer_and_no_patient(
    clinic, run_tasks, django_capture_on_commit_callbacks
):
    offboarding = export_clinic_data(offboarding=choose(clinic, "return"), actor="po")
    export = offboarding.export
    with django_capture_on_commit_callbacks(execute=True):
        offboarding = delete_clinic_data(offboarding=offboarding, actor="po")
    # Wekst's copy of the export goes with the rest, once the deletion is committed.
    assert not offboarding.export and not export.storage.exists(export.name)
    run_tasks()

    offboarding = issue_deletion_certificate(offboarding=offboarding, signer="privacy-officer")

    text = offboarding.certificate
    assert hashlib.sha256(text.encode()).hexdigest() == offboarding.certificate_sha256
    assert "- leads: 1" in text and "- meetings: 1" in text
    assert "- trafft: erasure done" in text
    assert offboarding.export_sha256 in text
    assert "primary accounting records (bokføringsloven § 13: 5 years): 1" in text
    assert "Signed by: privacy-officer" in text
    assert PATIENT not in text and "Kari Pasient" not in text and "appt-77" not in text
    assert AuditEntry.objects.filter(
        object_type="clinics.Offboarding", reason__contains="certificate issued"
    ).exists()


@pytest.mark.parametrize("step", ["running", "no_export", "twice"])
def test_cl_08_a_step_out_of_order_is_refused_and_nothing_is_deleted(clinic, step):
    if step == "running":
        clinic.engagements.update(ends_on=timezone.localdate() + 10 * DAY)
        offboarding = choose(clinic, "deletion")
    else:
        offboarding = choose(clinic, "return")
    if step == "twice":
        with pytest.raises(OffboardingRefused, match="already in progress"):
            choose(clinic, "deletion")
        return
    with pytest.raises(OffboardingRefused):
        delete_clinic_data(offboarding=offboarding, actor="po")
    assert Lead.objects.filter(clinic=clinic).count() == 1 and Meeting.objects.count() == 1


def test_cl_08_no_choice_while_an_engagement_has_no_end():
    clinic = make_clinic()

    with pytest.raises(OffboardingRefused, match="end date"):
        choose(clinic, "deletion")
    assert not Offboarding.objects.exists()


def test_cl_08_the_back_office_runs_the_steps_and_serves_the_certificate(
    clinic, privacy_officer_client, run_tasks
):
    response = privacy_officer_client.post(
        "/admin/clinics/offboarding/add/",
        {"clinic": clinic.pk, "choice": "deletion", "chosen_on": timezone.localdate(),
         "instructed_by": "Ola Personvern"},
    )  # fmt: skip
    assert response.status_code == 302
    offboarding = Offboarding.objects.get()

    def act(action):
        return privacy_officer_client.post(
            "/admin/clinics/offboarding/",
            {"action": action, "_selected_action": [offboarding.pk]},
            follow=True,
        )

    assert "Waiting for the processors" not in act("delete_data").text
    assert not Lead.objects.filter(clinic=clinic).exists()
    assert "Waiting for the processors to confirm" in act("issue_certificate").text
    run_tasks()
    act("issue_certificate")
    offboarding.refresh_from_db()
    assert offboarding.certificate_signed_by == "privacy-officer"
    page = privacy_officer_client.get(f"/admin/clinics/offboarding/{offboarding.pk}/change/")
    assert page.status_code == 200 and offboarding.certificate_sha256 in page.text
    clinic_page = privacy_officer_client.get(f"/admin/clinics/clinic/{clinic.pk}/change/").text
    assert "Ends of engagements" in clinic_page

    url = f"/admin/clinic-offboarding/{offboarding.public_id}/certificate.txt"
    body = privacy_officer_client.get(url).content.decode()
    assert offboarding.certificate_sha256 in body and "DELETION CERTIFICATE" in body
    assert AuditEntry.objects.filter(reason__contains="deletion certificate downloaded").exists()


def test_cl_08_sales_cannot_end_an_engagement_or_read_a_certificate(clinic, sales_client):
    offboarding = choose(clinic, "deletion")

    assert sales_client.get("/admin/clinics/offboarding/").status_code == 403
    url = f"/admin/clinic-offboarding/{offboarding.public_id}/certificate.txt"
    assert sales_client.get(url).status_code == 403
