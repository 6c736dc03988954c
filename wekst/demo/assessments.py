"""Demo DPIA register and a campaign for a demo clinic (CL-06): the two DPIAs the declaration
names, decided and current, so that the demo workbench shows the register complete; the
campaign's platform is a sub-processor named in the clinic's agreement (CL-03)."""

import datetime

from assessments.models import DPIA, Level, Risk
from campaigns.models import Campaign
from clinics.models import Clinic
from declaration.selectors import get_declaration
from processors.models import Recipient
from processors.services import sync_register

DAY = datetime.timedelta(days=1)
CAMPAIGN = "Demo: implant consultations for consenting patients"
PLATFORM = "google_ads"


def load_assessments(today: datetime.date) -> None:
    declaration = get_declaration()
    for key, processing in declaration.clinic_processing.items():
        reference = processing.special.dpia
        if not reference or DPIA.objects.filter(reference=reference).exists():
            continue
        dpia = DPIA.objects.create(
            reference=reference, title=processing.name.en, scope=processing.description.en,
            processing_covered=[f"clinic_processing.{key}"],
            necessity="Only what the clinic's instructions name; nothing for Wekst's own use.",
            measures="No third-party tags on health pages; the clinic's Art. 9(2) basis is "
            "recorded per campaign; staff see only their clinics' data.",
            residual_risk=Level.MEDIUM, decision=DPIA.Decision.PROCEED_WITH_MEASURES,
            decided_by="Demo privacy officer", decided_on=today - 30 * DAY,
            review_on=today + 335 * DAY,
        )  # fmt: skip
        Risk.objects.create(
            dpia=dpia, description="Someone is shown to be a clinic's patient.",
            likelihood=Risk.Likelihood.POSSIBLE, severity=Risk.Severity.SEVERE,
            measures="Explicit consent, or the clinic's care relationship; access per clinic.",
            residual_risk=Level.MEDIUM,
        )  # fmt: skip
    clinic = Clinic.objects.filter(slug="demo-tannlege-nord").first()
    if clinic is None or Campaign.objects.filter(name=CAMPAIGN).exists():
        return
    sync_register()  # the platform comes from the recipient register
    platform = Recipient.objects.get(key=PLATFORM)
    for agreement in clinic.agreements.all():
        agreement.sub_processors.add(platform)
    Campaign.objects.create(
        clinic=clinic, name=CAMPAIGN, platform=platform,
        audience_source=Campaign.AudienceSource.CUSTOMER_MATCH,
        audience_description="Patients who gave explicit consent to ads about implants.",
        health_related_audience=True,
        dpia=DPIA.objects.filter(reference=declaration.clinic_processing[
            "clinic_campaign_audiences"].special.dpia).first(),
        art9_basis="explicit_consent",
        art9_basis_documentation="The clinic's consent records, form v3 (demo).",
    )  # fmt: skip
