"""The evidence pack: each part checked against the database, no demo person in it, the button."""

import csv
import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record_event
from breaches.models import Breach
from clinics.instructions import record_unlawful_instruction
from clinics.models import ClinicAgreement
from consent.models import BannerText, ConsentDecision
from consent.services import forget_banner_texts
from declaration.models import PolicyVersion
from declaration.records import records_as_csv
from declaration.selectors import get_declaration
from marketing.models import SegmentExport
from marketing.services import export_segment
from marketing.tests.factories import logged
from processors.models import Recipient
from retention.models import SweepCount, SweepRun
from rights.models import Request
from wekst.demo.clinic_duties import CLINIC_PATIENTS, ENDED_CHOSEN_BY
from wekst.demo.people import DEMO_EMAILS, DEMO_NAMES
from wekst.demo.registers import CLINIC_CONTACTS, DISCLOSED_ABOUT, NOTICE_ABOUT
from wekst.demo.restrictions import OBJECTORS, RESTRICTED
from wekst.evidence.pack import build_evidence_files

URL = "/admin/evidence-pack/"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def demo(db, capsys):
    forget_banner_texts()
    call_command("load_demo_data")
    call_command("sync_processor_register", verbosity=0)


def open_pack(tmp_path) -> dict[str, bytes]:
    output = tmp_path / "pack.zip"
    call_command("evidence_pack", output=str(output), stdout=io.StringIO())
    with zipfile.ZipFile(output) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows(files, name) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name].decode())))


def test_dec_03_rp_01_the_pack_holds_each_part_as_the_database_has_it(demo, tmp_path):
    files = open_pack(tmp_path)
    # The manifest names every other file with its SHA-256, recomputed here.
    manifest = dict(
        reversed(line.split("  ", 1)) for line in files["MANIFEST.sha256"].decode().splitlines()
    )
    assert set(manifest) == set(files) - {"MANIFEST.sha256"}
    for name, digest in manifest.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
    # Art. 30(1) and 30(2).
    assert files["records/art30-1-controller.csv"].decode() == records_as_csv(get_declaration())
    assert len(rows(files, "records/art30-1-controller.csv")) == len(get_declaration().activities)
    clinics_with_agreement = ClinicAgreement.objects.values("clinic").distinct().count()
    assert clinics_with_agreement > 0
    assert len(rows(files, "records/art30-2-processor.csv")) == clinics_with_agreement
    assert b"<table" in files["records/art30-1-controller.html"]
    # The recipient register, with what is missing.
    recipients = rows(files, "recipients.csv")
    assert [r["Key"] for r in recipients] == list(
        Recipient.objects.order_by("key").values_list("key", flat=True)
    )
    # The published policies.
    assert len(rows(files, "policy-versions.csv")) == PolicyVersion.objects.count() > 0
    # The banner texts with their hashes, and the decisions per version.
    texts = rows(files, "consent/banner-texts.csv")
    assert {t["SHA-256"] for t in texts} == set(BannerText.objects.values_list("sha256", flat=True))
    for text in texts:
        banner = BannerText.objects.get(sha256=text["SHA-256"])
        assert files[text["File"]].decode() == banner.text
        assert hashlib.sha256(files[text["File"]]).hexdigest() == text["SHA-256"]
    figures = {
        r["Banner version"]: r for r in rows(files, "consent/decisions-by-banner-version.csv")
    }
    assert len(figures) >= 3
    for version, figure in figures.items():
        decided = ConsentDecision.objects.filter(banner_version=version)
        assert int(figure["Decisions"]) == decided.count()
        assert int(figure["With GPC"]) == decided.filter(gpc=True).count()
        assert int(figure["Reject all"]) == decided.filter(action="reject_all").count()
    assert sum(int(f["With GPC"]) for f in figures.values()) > 0
    # The request log: every request, its timings, the on-time rate.
    log = rows(files, "privacy-requests.csv")
    assert len(log) == Request.objects.count() == 10
    for entry in log:
        request = Request.objects.get(public_id=entry["Reference"])
        assert entry["Kind"] == request.kind and entry["Status"] == request.status
        assert entry["Due"] == request.due_at.isoformat()
    verdicts = sorted(entry["On time"] for entry in log)
    assert verdicts.count("no") == 1  # the overdue one
    summary = files["privacy-requests-summary.txt"].decode()
    # In time: the completed, the refused, the objection to marketing and both restrictions;
    # late: the overdue one (the other open ones are still in time).
    assert "On-time rate: 83.3%" in summary
    # Retention, breaches, the audit chain.
    assert len(rows(files, "retention/sweep-runs.csv")) == SweepRun.objects.count() > 0
    assert len(rows(files, "retention/sweep-counts.csv")) == SweepCount.objects.count()
    breaches = rows(files, "breaches.csv")
    assert [b["public_id"] for b in breaches] == [str(b.public_id) for b in Breach.objects.all()]
    assert "affected_subjects" not in breaches[0] and "reported_by" not in breaches[0]
    assert files["audit-chain.txt"].decode().splitlines()[1].startswith("INTACT")
    assert "Personal data in this pack" in files["README.txt"].decode()


def test_sb_01_no_demo_person_is_in_the_pack(demo, tmp_path):
    everything = b"\n".join(open_pack(tmp_path).values()).decode().lower()
    people = [*DEMO_NAMES, *DEMO_EMAILS, DISCLOSED_ABOUT, NOTICE_ABOUT]
    people += [x for contact in CLINIC_CONTACTS for x in contact]
    for pairs in (OBJECTORS.values(), RESTRICTED.values(), CLINIC_PATIENTS):
        people += [x for person in pairs for x in person]
    people.append(ENDED_CHOSEN_BY)
    assert len(people) > 40
    for value in people:
        assert value.lower() not in everything, value
    # No consent id either.
    for consent_id in ConsentDecision.objects.values_list("consent_id", flat=True):
        assert str(consent_id) not in everything


def test_sb_01_the_pack_button_is_the_privacy_officers_only_and_audited(
    db, privacy_officer_client, sales_client, admin_client, staff_client
):
    for other in (sales_client, admin_client, staff_client):
        assert other.post(URL).status_code == 403
    assert not AuditEntry.objects.filter(object_type="wekst.EvidencePack").exists()
    assert privacy_officer_client.get(URL).status_code == 405
    response = privacy_officer_client.post(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "MANIFEST.sha256" in archive.namelist()
    [entry] = AuditEntry.objects.filter(object_type="wekst.EvidencePack")
    assert entry.actor == "privacy-officer" and entry.action == "export"


def test_sb_01_only_the_privacy_officer_sees_the_button(
    db, privacy_officer_client, sales_client, admin_client
):
    assert b"Download evidence pack" in privacy_officer_client.get("/admin/").content
    for other in (sales_client, admin_client):
        assert b"Download evidence pack" not in other.get("/admin/").content


def test_sb_01_the_demo_user_holds_the_privacy_officers_role_after_sync_roles(db, capsys):
    from django.contrib.auth import get_user_model

    from staff.services import sync_roles

    sync_roles()
    call_command("load_demo_data")
    demo = get_user_model().objects.get(username="demo")
    assert demo.groups.filter(name="Privacy officer").exists()


def test_sb_01_a_bad_output_path_is_a_clear_error_and_audits_nothing(db, tmp_path):
    from django.core.management import CommandError

    for output in (tmp_path / "missing" / "pack.zip", tmp_path):
        with pytest.raises(CommandError):
            call_command("evidence_pack", output=str(output))
    assert not AuditEntry.objects.filter(object_type="wekst.EvidencePack").exists()


# This session's registers: DPIAs, the clinics' duties as processor, segment exports -------------

STAFF = "Signe Signatar"  # a staff member's name that must stay out of the pack
CLINIC_PERSON = "Klara Klinikkleder"


@pytest.fixture
def duties(demo):
    """A sub-processor change objected to, an unlawful instruction, an issued certificate and a
    segment export, besides the demo's DPIAs and clinics."""
    from clinics.models import Clinic, Offboarding
    from clinics.sub_processors import propose_sub_processor, record_objection

    today = timezone.localdate()
    clinic = Clinic.objects.get(slug="demo-tannlege-nord")
    change = propose_sub_processor(
        clinic=clinic,
        recipient=Recipient.objects.get(key="calcom"),
        reason="Booking of consultations",
        actor=STAFF,
    )
    record_objection(
        change=change, objected_on=today, objection=f"No. {CLINIC_PERSON}", actor=STAFF
    )
    record_unlawful_instruction(
        clinic=clinic, received_on=today - DAY, instruction="Upload every patient to Meta Ads.",
        why_unlawful="No Art. 9(2) condition for patients who did not consent.",
        notice_text=f"Regards, {STAFF}", notified_on=today, notified_how="email", actor=STAFF,
    )  # fmt: skip
    other = Clinic.objects.exclude(pk=clinic.pk).first()
    certificate = f"Deletion certificate. Signed by: {STAFF}"
    Offboarding.objects.create(
        clinic=other, choice="deletion", chosen_on=today - 3 * DAY, instructed_by=CLINIC_PERSON,
        recorded_by=STAFF, deleted_at=timezone.now(), deleted_by=STAFF,
        deleted_counts={"leads": 4, "enquiries": 2}, processor_notices=["a", "b"],
        certificate=certificate, certificate_signed_by=STAFF, certificate_issued_at=timezone.now(),
        certificate_sha256=hashlib.sha256(certificate.encode()).hexdigest(),
    )  # fmt: skip
    export_segment(segment_key="newsletter_subscribers", platform="email_provider", actor=STAFF)
    return clinic


def test_cl_06_cl_08_the_pack_holds_the_dpias_and_the_clinics_duties_as_the_database_has_them(
    duties, tmp_path
):
    from assessments.models import DPIA, Risk
    from clinics.models import Clinic, Offboarding, SubProcessorChange, UnlawfulInstruction
    from clinics.selectors import current_agreement
    from clinics.sub_processors import sub_processors_in_use

    files = open_pack(tmp_path)
    manifest = files["MANIFEST.sha256"].decode()
    today = timezone.localdate()
    # The DPIA register, its risks, and the declaration's special categories.
    register = rows(files, "assessments/dpia-register.csv")
    assert [d["Reference"] for d in register] == list(
        DPIA.objects.order_by("reference").values_list("reference", flat=True)
    )
    assert len(register) == 2
    for row in register:
        dpia = DPIA.objects.get(reference=row["Reference"])
        assert row["Processing covered"] == "; ".join(dpia.processing_covered)
        assert (row["Decision"], row["Decided on"]) == (dpia.decision, dpia.decided_on.isoformat())
        assert row["Review date"] == dpia.review_on.isoformat() and row["Lapsed"] == "no"
        assert int(row["Risks"]) == dpia.risks.count()
    risks = rows(files, "assessments/dpia-risks.csv")
    assert len(risks) == Risk.objects.count() > 0
    assert {(r["DPIA"], r["Likelihood"], r["Severity"]) for r in risks} == {
        (r.dpia.reference, r.likelihood, r.severity) for r in Risk.objects.all()
    }
    special = {r["Entry"]: r for r in rows(files, "assessments/special-categories.csv")}
    declaration = get_declaration()
    for key, processing in declaration.clinic_processing.items():
        entry = f"clinic_processing.{key}"
        if not processing.special.categories:
            assert entry not in special
            continue
        assert special[entry]["DPIA"] == processing.special.dpia
        assert special[entry]["Art. 9(2) condition"] == processing.special.condition
        assert special[entry]["DPIA in the register"] == "yes"
    assert special["clinic_processing.clinic_campaign_audiences"]["Article"] == "Art. 9(2)(a)"
    # Per clinic: the current agreement's clauses, sub-processors in use, the change log.
    agreements = {r["Clinic"]: r for r in rows(files, "clinics/agreements.csv")}
    assert set(agreements) == set(Clinic.objects.values_list("name", flat=True))
    for clinic in Clinic.objects.all():
        agreement = current_agreement(clinic, on=today)
        row = agreements[clinic.name]
        assert row["Art. 28(3)(a)"] == (agreement.clause_a if agreement else "")
        assert row["Art. 28(3)(h)"] == (agreement.clause_h if agreement else "")
    in_use = rows(files, "clinics/sub-processors-in-use.csv")
    assert sorted((r["Clinic"], r["Sub-processor"]) for r in in_use) == sorted(
        (c.name, r.key) for c in Clinic.objects.all() for r in sub_processors_in_use(c, on=today)
    )
    # The demo campaign's platform, named in the demo clinic's agreement (CL-03).
    assert {"Clinic": duties.name, "Sub-processor": "google_ads", "Name": "Google Ads"} in in_use
    # The fixture's records, beside the demo's own.
    changes = rows(files, "clinics/sub-processor-changes.csv")
    assert len(changes) == SubProcessorChange.objects.count()
    [change] = [c for c in changes if (c["Clinic"], c["Sub-processor"]) == (duties.name, "calcom")]
    recorded = SubProcessorChange.objects.get(clinic=duties, recipient__key="calcom")
    assert (change["Clinic"], change["Sub-processor"]) == (duties.name, "calcom")
    assert change["Deadline to object"] == recorded.object_by.isoformat()
    assert change["Objected on"] == today.isoformat() and change["Decision today"] == "objected"
    assert change["Notice email"] == recorded.notice_email.status
    instructions = rows(files, "clinics/unlawful-instructions.csv")
    assert len(instructions) == UnlawfulInstruction.objects.count()
    kept = UnlawfulInstruction.objects.get(instruction="Upload every patient to Meta Ads.")
    [instruction] = [i for i in instructions if i["Instruction"] == kept.instruction]
    assert instruction["Instruction"] == kept.instruction
    assert instruction["Notice given on"] == kept.notified_on.isoformat()
    assert instruction["Outcome"] == "pending"
    certificates = rows(files, "clinics/deletion-certificates.csv")
    assert len(certificates) == Offboarding.objects.exclude(certificate_sha256="").count()
    issued = Offboarding.objects.get(certificate_signed_by=STAFF)
    [certificate] = [
        c for c in certificates if c["Certificate SHA-256"] == issued.certificate_sha256
    ]
    assert certificate["Certificate SHA-256"] == issued.certificate_sha256
    assert certificate["Records deleted in total"] == "6"
    assert certificate["Erasures passed to processors"] == "2"
    # The segment exports, from the export log: counts only.
    [export] = rows(files, "marketing/segment-exports.csv")
    logged = SegmentExport.objects.select_related("audit_entry").get()
    assert (export["Segment"], export["Platform"]) == ("newsletter_subscribers", "email_provider")
    assert (export["People"], export["Form"]) == (str(logged.people), "addresses")
    assert export["Audit entry"] == str(logged.audit_entry.sequence)
    # Every new part is in the manifest; no staff member and no one at a clinic is named.
    for name in (
        "assessments/dpia-register.csv",
        "clinics/deletion-certificates.csv",
        "marketing/segment-exports.csv",
    ):
        assert f"  {name}\n" in manifest
    everything = b"\n".join(files.values()).decode()
    for person in (STAFF, CLINIC_PERSON, "Demo privacy officer"):
        assert person not in everything, person


@pytest.mark.django_db
def test_tp_07_the_pack_reads_the_export_log_not_the_audit_entrys_wording():
    """What the pack says of an export comes from its SegmentExport row, whatever its entry's
    reason says, as on the segments page; an old entry the log could not read is listed by its
    reason, in its place."""
    unread = record_event(
        actor="marketer",
        action="export",
        object_type="marketing.Segment",
        object_id="newsletter_subscribers",
        reason="written another way",
    )
    anew = logged(people=3, platform="email_provider", hashed=False, reason="Exported (anew)")
    misread = logged(people=1, platform="old_platform", hashed=True, reason="7 people to x (y)")

    files = build_evidence_files()

    exports = rows(files, "marketing/segment-exports.csv")
    segment = "newsletter_subscribers"
    assert [tuple(e.values()) for e in exports] == [
        (unread.at.isoformat(), segment, "", "", "written another way", str(unread.sequence)),
        (anew.at.isoformat(), segment, "email_provider", "3", "addresses", str(anew.sequence)),
        (misread.at.isoformat(), segment, "old_platform", "1", "hashed", str(misread.sequence)),
    ]
