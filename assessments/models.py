"""The DPIA register: each data protection impact assessment (GDPR Art. 35) with its scope, its
risks, the measures, the decision and when it is reviewed (checklist CL-06, RP-06).

The declaration names a DPIA by its `reference` for every processing that can reveal health data
(declaration `dpia:`); a campaign for a clinic with a health-related audience needs a current one
(campaigns.services.start_campaign).
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from declaration.schema.vocabulary import DPIA_REFERENCE_PATTERN


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class DPIA(models.Model):
    """One data protection impact assessment (GDPR Art. 35(7)): the processing and its purposes,
    necessity and proportionality, the risks to people, and the measures against them."""

    class Decision(models.TextChoices):
        UNDECIDED = "", _("Not decided yet")
        PROCEED = "proceed", _("Proceed")
        PROCEED_WITH_MEASURES = "proceed_with_measures", _("Proceed with the measures listed")
        # Art. 36(1): a high risk that the measures do not bring down is put to Datatilsynet
        # before the processing starts.
        PRIOR_CONSULTATION = "prior_consultation", _("Consult Datatilsynet first (Art. 36)")
        DO_NOT_PROCEED = "do_not_proceed", _("Do not proceed")

    # The decisions under which the processing may go ahead.
    GOES_AHEAD = (Decision.PROCEED, Decision.PROCEED_WITH_MEASURES)

    reference = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                f"^{DPIA_REFERENCE_PATTERN}$",
                _("Use a reference such as DPIA-2026-01 (capital letters, digits, hyphens)."),
            )
        ],
        help_text=_("As the declaration names it (dpia: DPIA-2026-01)."),
    )
    title = models.CharField(_("title"), max_length=200)
    scope = models.TextField(
        _("scope"), help_text=_("The processing assessed: its nature, context and purposes.")
    )
    processing_covered = models.JSONField(
        _("processing covered"),
        default=list,
        blank=True,
        help_text=_(
            "The declaration's entries this assessment covers, e.g. "
            '["clinic_processing.clinic_campaign_audiences"].'
        ),
    )
    necessity = models.TextField(
        _("necessity and proportionality"), blank=True, help_text=_("Art. 35(7)(b).")
    )
    measures = models.TextField(
        _("measures"), help_text=_("The safeguards and measures that address the risks.")
    )
    residual_risk = models.CharField(
        _("residual risk"), max_length=8, choices=Level.choices, default=Level.HIGH
    )
    decision = models.CharField(
        _("decision"), max_length=24, choices=Decision.choices, default="", blank=True
    )
    decided_by = models.CharField(
        _("decided by"), max_length=150, blank=True, help_text=_("Name and role.")
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    review_on = models.DateField(
        _("review date"), help_text=_("Past this date the assessment has lapsed until reviewed.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("DPIA")
        verbose_name_plural = _("DPIA register")

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def is_lapsed(self, on: datetime.date) -> bool:
        """Past its review date: no longer vouches for the processing until reviewed."""
        return self.review_on < on

    def allows_processing(self, on: datetime.date) -> bool:
        """Decided, with a decision that lets the processing go ahead, and not lapsed."""
        return (
            self.decision in self.GOES_AHEAD
            and self.decided_on is not None
            and self.decided_on <= on
            and not self.is_lapsed(on)
        )

    def clean(self) -> None:
        errors = {}
        if self.decision and not (self.decided_on and self.decided_by):
            errors["decided_by"] = _("A decision needs who decided it and when.")
        if self.decision == self.Decision.PROCEED and self.residual_risk == Level.HIGH:
            errors["decision"] = _(
                "A high residual risk cannot simply proceed: reduce it with measures, or "
                "consult Datatilsynet first (GDPR Art. 36(1))."
            )
        if self.decided_on and self.review_on and self.review_on <= self.decided_on:
            errors["review_on"] = _("The review date must come after the decision.")
        if not isinstance(self.processing_covered, list) or not all(
            isinstance(item, str) for item in self.processing_covered
        ):
            errors["processing_covered"] = _("A list of the declaration's entries, as text.")
        if errors:
            raise ValidationError(errors)


class Risk(models.Model):
    """One risk to the people concerned, with its likelihood and severity before the measures,
    what is done about it, and what is left (Art. 35(7)(c)-(d))."""

    class Severity(models.TextChoices):
        MINIMAL = "minimal", _("Minimal")
        SIGNIFICANT = "significant", _("Significant")
        SEVERE = "severe", _("Severe")

    class Likelihood(models.TextChoices):
        REMOTE = "remote", _("Remote")
        POSSIBLE = "possible", _("Possible")
        PROBABLE = "probable", _("Probable")

    dpia = models.ForeignKey(DPIA, on_delete=models.CASCADE, related_name="risks")
    description = models.TextField(_("risk to people"))
    likelihood = models.CharField(_("likelihood"), max_length=8, choices=Likelihood.choices)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    measures = models.TextField(_("measures against it"), blank=True)
    residual_risk = models.CharField(_("residual risk"), max_length=8, choices=Level.choices)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self) -> str:
        return self.description[:80]
