"""Demo clinics, breaches, processor notices, sweep and reconciliation evidence, consent decisions
and disclosures.

Dates are fixed offsets from the time of loading, so the demo makes sense on any date; the
consent figures come from a random generator with a fixed seed, so every load is the same.
"""

import datetime
import hashlib
import random
import uuid

from django.conf import settings
from django.core.files.base import ContentFile

from breaches.models import Breach
from clinics.models import ARTICLE_28_TERMS, Clinic, ClinicAgreement, Engagement
from clinics.services import add_clinic_contact
from consent.banner import shown_text
from consent.models import BannerText, ConsentDecision
from consent.services import forget_banner_texts, record_consent
from consent.state import Choices
from processors.connectors import ProcessorTarget
from processors.disclosures import record_disclosure
from processors.models import Disclosure
from retention.models import ProcessorCheck, SweepRun
from retention.reconciliation import reconcile_processors
from retention.services import run_sweep
from rights.models import ProcessorNotice
from subjects.services import find_or_create_subject

ACTOR = "system:demo"
DAY = datetime.timedelta(days=1)
SEED = 21

CLINICS = (
    # slug, name, legal basis, agreement ends in (days; None: open-ended)
    ("demo-tannlege-nord", "Demo Tannlege Nord AS", "legitimate_interests", None),
    ("demo-fysio-sor", "Demo Fysio Sør AS", "consent", 20),
)
CLINIC_CONTACTS = (("Ole Demo", "ole.demo@tannlege-nord.invalid"),)
DISCLOSED_ABOUT = "petter.demo@example.invalid"
NOTICE_ABOUT = "randi.demo@example.invalid"
BREACH_TITLE = "Demo: lead list emailed to the wrong clinic"
# Older cookie versions: the banner as shown under each is kept with its hash (CK-08).
OLD_BANNER_VERSIONS = ("demo-2026-01", "demo-2026-06")


# The clause of the demo agreement holding each Art. 28(3) term (CL-01).
DEMO_CLAUSES = {f"clause_{letter}": f"§ {n}" for n, (letter, _t) in enumerate(ARTICLE_28_TERMS, 3)}


def load_clinics(today: datetime.date) -> None:
    for slug, name, basis, ends_in in CLINICS:
        if not Clinic.objects.filter(slug=slug).exists():
            make_clinic(
                slug=slug, name=name, basis=basis, since=today - 200 * DAY,
                ends_on=today + ends_in * DAY if ends_in else None,
            )  # fmt: skip
    clinic = Clinic.objects.get(slug=CLINICS[0][0])
    for name, email in CLINIC_CONTACTS:
        add_clinic_contact(clinic=clinic, name=name, email=email, role="Clinic manager")


def make_clinic(
    *, slug: str, name: str, basis: str, since: datetime.date, ends_on: datetime.date | None
) -> Clinic:
    """A clinic with its engagement and signed agreement, as staff enter them on the clinic's
    page (no service makes a clinic: its agreement is a document staff upload)."""
    clinic = Clinic.objects.create(
        name=name, slug=slug, org_number="999 999 999", address="Demogata 1, 0001 Oslo",
        email=f"personvern@{slug}.invalid", representative="Demo representative",
    )  # fmt: skip
    Engagement.objects.create(clinic=clinic, starts_on=since)
    agreement = ClinicAgreement(
        clinic=clinic, signed_on=since, ends_on=ends_on, **DEMO_CLAUSES,
        platforms="Meta Ads, Google Ads",
        data_categories="Name, email address, phone number of people who enquire",
        purposes="Answering enquiries from prospective patients", retention_months=12,
        legal_basis=basis,
    )  # fmt: skip
    agreement.document.save(f"{slug}-dpa.pdf", ContentFile(b"%PDF-1.4 demo"), save=False)
    agreement.save()
    return clinic


def load_breach(now: datetime.datetime) -> None:
    if Breach.objects.filter(title=BREACH_TITLE).exists():
        return
    # Known 30 hours ago: inside its 72 hours, so its clock shows on the workbench.
    breach = Breach(
        title=BREACH_TITLE, became_aware_at=now - datetime.timedelta(hours=30),
        what_happened="A list of 12 leads was emailed to another clinic by mistake.",
        cause=Breach.Cause.MISDIRECTED, confidentiality=True,
        data_categories="Names, email addresses and phone numbers of leads.",
        subject_categories="Leads (prospective clients).", approx_subjects=12, approx_records=12,
        likely_consequences="Unwanted contact from another clinic.",
        measures_taken="The other clinic was asked to delete the email.",
        clinic=Clinic.objects.filter(slug=CLINICS[0][0]).first(),
    )  # fmt: skip
    breach.full_clean()
    breach.save()


def load_processor_notices() -> None:
    if ProcessorNotice.objects.filter(status=ProcessorNotice.Status.MANUAL).exists():
        return
    # An erasure to pass on to a processor without a connector: it waits for a person, and is
    # never enqueued, so nothing is sent anywhere.
    subject = find_or_create_subject(email=NOTICE_ABOUT)
    for processor in ("it_support", "website_host"):
        ProcessorNotice.objects.create(
            kind=ProcessorNotice.Kind.ERASURE, cause=ProcessorNotice.Cause.OTHER,
            subject_ref=str(subject.public_id), processor=processor,
            identifiers=ProcessorTarget(emails=(NOTICE_ABOUT,)).as_dict(),
            status=ProcessorNotice.Status.MANUAL,
        )  # fmt: skip


def load_sweep() -> None:
    if not SweepRun.objects.exists():
        run_sweep(trigger=SweepRun.Trigger.COMMAND)


def load_processor_checks() -> None:
    """The reconciliation of processors, as `manage.py reconcile_processors` records it. Only
    without a Brevo API key: with one, it would read the contact list of a real Brevo account."""
    if not ProcessorCheck.objects.exists() and not settings.BREVO_API_KEY:
        reconcile_processors(trigger=SweepRun.Trigger.COMMAND)


def load_consent(now: datetime.datetime) -> None:
    if ConsentDecision.objects.filter(banner_version=OLD_BANNER_VERSIONS[0]).exists():
        return
    chance = random.Random(SEED)  # noqa: S311 - a repeatable demo, not a secret
    actions = ("accept_all", "reject_all", "choose")
    for age, version in ((120, OLD_BANNER_VERSIONS[0]), (60, OLD_BANNER_VERSIONS[1])):
        for language in ("en", "nb"):
            text_hash = _old_banner_text(
                language=language, version=version, shown_from=now - age * DAY
            )
            for n in range(15):
                action, gpc = chance.choice(actions), chance.random() < 0.2
                yes = action == "accept_all"
                choices = [yes or (action == "choose" and chance.random() < 0.5) for _ in range(3)]
                ConsentDecision.objects.create(
                    consent_id=uuid.UUID(int=chance.getrandbits(128)),
                    decided_at=now - (age - n) * DAY, action=action,
                    method=ConsentDecision.Method.BANNER,
                    analytics=choices[0] and not gpc, marketing=choices[1] and not gpc,
                    embedded=choices[2], gpc=gpc, banner_version=version,
                    policy_version="demo", language=language, banner_text_hash=text_hash,
                    truncated_ip="192.0.2.0",
                )  # fmt: skip
    # Decisions under the banner in force go through the service itself (GPC ones too). Its
    # text is kept once per process: worked out again, in case this database is not the one it
    # was kept in (a test's, a freshly migrated one).
    forget_banner_texts()
    for n in range(20):
        action, gpc = chance.choice(actions), chance.random() < 0.2
        record_consent(
            consent_id=uuid.UUID(int=chance.getrandbits(128)), action=action, gpc=gpc,
            chosen=Choices(chance.random() < 0.5, chance.random() < 0.3, chance.random() < 0.6),
            method=ConsentDecision.Method.BANNER, language=("en", "nb")[n % 2], ip="192.0.2.7",
        )  # fmt: skip


def _old_banner_text(*, language: str, version: str, shown_from: datetime.datetime) -> str:
    """A wording of an earlier banner version, kept with its SHA-256 as the live banner keeps its
    own (consent.services.banner_text_hash): today's words, marked as the demo's earlier ones."""
    text = f"[Demo: the wording of banner version {version}]\n{shown_text(language, version).text}"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    BannerText.objects.get_or_create(
        sha256=digest,
        defaults={
            "language": language,
            "banner_version": version,
            "text": text,
            "recorded_at": shown_from,
        },
    )
    return digest


def load_disclosure(today: datetime.date) -> None:
    if Disclosure.objects.filter(request_reference="DEMO-2026-1").exists():
        return
    record_disclosure(
        subject=find_or_create_subject(email=DISCLOSED_ABOUT), recipient="authorities",
        recipient_name="Demo tax office", data_categories=["identity", "accounting"],
        disclosed_on=today - 5 * DAY, legal_provision="Demo: skatteforvaltningsloven § 10-2",
        request_reference="DEMO-2026-1", actor=ACTOR,
    )  # fmt: skip
