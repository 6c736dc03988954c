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


def dpia_form(**changes) -> dict:
    """What the back office's DPIA form posts, with `changes`; the risks as one inline row."""
    today = timezone.localdate()
    data = {
        "reference": "DPIA-2026-02",
        "title": "Audiences for clinics' campaigns",
        "scope": "Customer match and retargeting for clinics.",
        "processing_covered": [AUDIENCES],
        "necessity": "Only lists with explicit consent.",
        "measures": "Consent checked per list.",
        "residual_risk": "medium",
        "decision": "proceed_with_measures",
        "decided_by": "Kari Personvern, privacy officer",
        "decided_on": today.isoformat(),
        "review_on": (today + datetime.timedelta(days=365)).isoformat(),
        "risks-TOTAL_FORMS": "1",
        "risks-INITIAL_FORMS": "0",
        "risks-MIN_NUM_FORMS": "0",
        "risks-MAX_NUM_FORMS": "1000",
        "risks-0-description": "Being shown to be a patient.",
        "risks-0-likelihood": "possible",
        "risks-0-severity": "severe",
        "risks-0-measures": "Explicit consent only.",
        "risks-0-residual_risk": "medium",
    }
    return data | changes
