"""Test data for the DPIA register, dated relative to today (the clock is moved, never fixed)."""

import datetime

from django.utils import timezone

from assessments.models import DPIA, Level, Risk

AUDIENCES = "clinic_processing.clinic_campaign_audiences"


def make_dpia(
    reference: str = "DPIA-2026-02",
    *,
    covers: tuple[str, ...] = (AUDIENCES,),
    decision: str = DPIA.Decision.PROCEED_WITH_MEASURES,
    decided_days_ago: int = 10,
    review_in_days: int = 365,
) -> DPIA:
    today = timezone.localdate()
    dpia = DPIA.objects.create(
        reference=reference,
        title="Audiences for clinics' campaigns",
        scope="Customer match and retargeting audiences built for clinics.",
        processing_covered=list(covers),
        measures="Explicit consent checked per list; no treatment-page retargeting without it.",
        residual_risk=Level.MEDIUM,
        decision=decision,
        decided_by="Kari Personvern, privacy officer" if decision else "",
        decided_on=today - datetime.timedelta(days=decided_days_ago) if decision else None,
        review_on=today + datetime.timedelta(days=review_in_days),
    )
    Risk.objects.create(
        dpia=dpia,
        description="A person is shown to be a patient of a clinic by an ad platform.",
        likelihood=Risk.Likelihood.POSSIBLE,
        severity=Risk.Severity.SEVERE,
        measures="Only lists with explicit consent; no sensitive category targeting.",
        residual_risk=Level.MEDIUM,
    )
    return dpia
