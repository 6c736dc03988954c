"""Campaigns Wekst runs for clinics, as their processor, each with its audience (CL-06).

An audience that can reveal that someone is a clinic's patient, or interested in a health
service (a patient list uploaded for customer match, retargeting from treatment pages), is
flagged as health-related: special-category data (GDPR Art. 9(1); CJEU C-252/21). Such a
campaign starts only with a current DPIA and the clinic's documented Art. 9(2) basis; every
campaign only on a platform the clinic authorised as its sub-processor (CL-03)
(campaigns.services.start_campaign).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import DPIA
from clinics.models import Clinic
from declaration.policy import ART9_CONDITION_NAMES
from declaration.schema.vocabulary import ART9_CONDITIONS
from processors.models import Recipient


class Campaign(models.Model):
    class AudienceSource(models.TextChoices):
        CUSTOMER_MATCH = "customer_match", _("Patient or customer list uploaded for customer match")
        RETARGETING = "retargeting", _("Retargeting of visitors to the clinic's treatment pages")
        LOOKALIKE = "lookalike", _("Lookalike audience built from the clinic's patients")
        HEALTH_INTERESTS = "health_interests", _("Targeting by health-related interests")
        GENERAL = "general", _("General targeting (place, age group), no health signal")

    # Audiences that always reveal, or are built from, a clinic's patients or health interests.
    HEALTH_SOURCES = (
        AudienceSource.CUSTOMER_MATCH,
        AudienceSource.RETARGETING,
        AudienceSource.LOOKALIKE,
        AudienceSource.HEALTH_INTERESTS,
    )

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RUNNING = "running", _("Running")
        STOPPED = "stopped", _("Stopped")

    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("clinic")
    )
    name = models.CharField(_("name"), max_length=200)
    # From the recipient register: the platform is a sub-processor of the clinic, used only once
    # the clinic authorised it (CL-03; campaigns.services.start_blockers).
    platform = models.ForeignKey(
        Recipient,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("platform"),
        help_text=_(
            "The advertising platform, from the recipient register: a sub-processor the clinic "
            "has authorised (GDPR Art. 28(2))."
        ),
    )
    audience_source = models.CharField(_("audience"), max_length=20, choices=AudienceSource.choices)
    audience_description = models.TextField(
        _("audience description"), help_text=_("Who the campaign reaches, and from which data.")
    )
    health_related_audience = models.BooleanField(
        _("health-related audience"),
        default=False,
        help_text=_(
            "Can the audience reveal that someone is the clinic's patient, or interested in a "
            "health service? Always so for patient lists, retargeting, lookalikes and health "
            "interests."
        ),
    )
    dpia = models.ForeignKey(
        DPIA,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("DPIA"),
    )
    art9_basis = models.CharField(
        _("the clinic's Art. 9(2) basis"),
        max_length=40,
        blank=True,
        choices=[(key, ART9_CONDITION_NAMES[key]) for key in ART9_CONDITIONS],
        help_text=_("Normally the explicit consent of the people in the audience (Art. 9(2)(a))."),
    )
    art9_basis_documentation = models.TextField(
        _("where the clinic documents it"),
        blank=True,
        help_text=_("e.g. the clinic's consent records and the instruction that refers to them."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    started_by = models.CharField(_("started by"), max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return f"{self.name} ({self.clinic})"

    @property
    def reveals_health(self) -> bool:
        """Flagged health-related, or built from a source that always is."""
        return self.health_related_audience or self.audience_source in self.HEALTH_SOURCES

    def clean(self) -> None:
        if self.audience_source in self.HEALTH_SOURCES and not self.health_related_audience:
            raise ValidationError(
                {
                    "health_related_audience": _(
                        "This audience can reveal the clinic's patients or health interests: "
                        "it is health-related (GDPR Art. 9(1))."
                    )
                }
            )
