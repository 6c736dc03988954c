"""The evidence pack's impact assessments: the DPIA register (GDPR Art. 35(7), 35(11)) and the
declaration's entries that can reveal special categories, each with its Art. 9(2) condition and
its DPIA, and whether the register holds that DPIA (CL-06). Who decided a DPIA (a staff member's
name) is left out."""

from django.utils import translation

from assessments.models import DPIA, Risk
from declaration.selectors import get_declaration
from wekst.evidence.common import iso, yes_no
from wekst.spreadsheets import csv_text

DPIA_COLUMNS = (
    "Reference", "Title", "Scope", "Processing covered", "Necessity and proportionality",
    "Measures", "Residual risk", "Decision", "Decided on", "Review date", "Lapsed", "Risks",
)  # fmt: skip
RISK_COLUMNS = ("DPIA", "Risk to people", "Likelihood", "Severity", "Measures", "Residual risk")
SPECIAL_COLUMNS = (
    "Entry", "Name", "Special categories", "Art. 9(2) condition", "Article", "DPIA",
    "DPIA in the register",
)  # fmt: skip


def dpia_files(today) -> dict[str, str]:
    dpias = DPIA.objects.prefetch_related("risks").order_by("reference")
    rows = [
        (
            d.reference,
            d.title,
            d.scope,
            "; ".join(d.processing_covered or []),
            d.necessity,
            d.measures,
            d.residual_risk,
            d.decision,
            iso(d.decided_on),
            iso(d.review_on),
            yes_no(d.is_lapsed(today)),
            len(d.risks.all()),
        )
        for d in dpias
    ]
    risks = [
        (r.dpia.reference, r.description, r.likelihood, r.severity, r.measures, r.residual_risk)
        for r in Risk.objects.select_related("dpia").order_by("dpia__reference", "pk")
    ]
    return {
        "assessments/dpia-register.csv": csv_text([DPIA_COLUMNS, *rows]),
        "assessments/dpia-risks.csv": csv_text([RISK_COLUMNS, *risks]),
        "assessments/special-categories.csv": special_category_csv(),
    }


def special_category_csv() -> str:
    declaration = get_declaration()
    entries = [
        *((f"activities.{key}", a) for key, a in declaration.activities.items()),
        *((f"clinic_processing.{key}", p) for key, p in declaration.clinic_processing.items()),
    ]
    named = {entry for entry, declared in entries if declared.special.categories}
    references = [declared.special.dpia for entry, declared in entries if entry in named]
    held = set(DPIA.objects.filter(reference__in=references).values_list("reference", flat=True))
    rows = [
        (
            entry,
            declared.name.en,
            "; ".join(declared.special.categories),
            declared.special.condition,
            _in_english(declared.special),
            declared.special.dpia,
            yes_no(declared.special.dpia in held),
        )
        for entry, declared in entries
        if entry in named
    ]
    return csv_text([SPECIAL_COLUMNS, *rows])


def _in_english(special) -> str:
    with translation.override("en"):
        return str(special.condition_article)
