"""Starting a campaign for a clinic: only for a clinic that accepts work, and, for an audience
that can reveal health data, only under a current DPIA and the clinic's documented Art. 9(2)
basis; and only on a platform the clinic authorised as its sub-processor, once any time it had
to object has passed (checklist CL-01, CL-03, CL-06; GDPR Art. 9, 28(2), 28(3)(a), 35)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.selectors import dpia_covers
from audit.services import record_event
from campaigns.models import Campaign
from clinics.models import SubProcessorAuthorisation, SubProcessorChange
from clinics.selectors import accepts_work, current_agreement
from clinics.sub_processors import may_use_sub_processor
from declaration.policy import ART9_CONDITION_NAMES
from declaration.selectors import get_declaration

# The declared processing a health-related audience is (declaration clinic_processing).
AUDIENCES = "clinic_campaign_audiences"


class CampaignRefused(ValidationError):
    """The campaign may not start; `messages` says every reason, in the staff's language."""


def start_blockers(campaign: Campaign, *, on: datetime.date) -> list[str]:
    """Every reason the campaign may not start today; empty when it may."""
    reasons = []
    if campaign.status == Campaign.Status.RUNNING:
        reasons.append(_("The campaign is already running."))
    if not accepts_work(campaign.clinic, on=on):
        reasons.append(
            _(
                "%(clinic)s has no agreement in force and running engagement: no work is done "
                "for it."
            )
            % {"clinic": campaign.clinic.name}
        )
    elif not may_use_sub_processor(campaign.clinic, key=campaign.platform.key, on=on):
        reasons.append(_platform_blocker(campaign, on=on))
    if campaign.reveals_health:
        reasons += _health_audience_blockers(campaign, on=on)
    return reasons


def _platform_blocker(campaign: Campaign, *, on: datetime.date) -> str:
    """Why the platform may not be used for the clinic `on`: withdrawn, waiting for a specific
    authorisation, a change still inside the clinic's time to object, an objection, or no
    authorisation at all (CL-03; GDPR Art. 28(2))."""
    names = {"platform": campaign.platform.name, "clinic": campaign.clinic.name}
    change = (
        SubProcessorChange.objects.filter(clinic=campaign.clinic, recipient=campaign.platform)
        .order_by("-notified_at")
        .first()
    )
    decision = change.decision(on) if change is not None else ""
    if change is not None and change.withdrawn_on is not None and change.withdrawn_on <= on:
        return _("Wekst stopped using %(platform)s for %(clinic)s on %(date)s.") % (
            names | {"date": change.withdrawn_on.isoformat()}
        )
    agreement = current_agreement(campaign.clinic, on=on)
    specific = (
        agreement is not None
        and agreement.sub_processor_authorisation == SubProcessorAuthorisation.SPECIFIC
    )
    if decision in ("pending", "not_objected") and specific:
        # Under a specific authorisation silence is not consent (Art. 28(2) first sentence).
        return (
            _(
                "%(platform)s waits for the specific authorisation of %(clinic)s: it is not used "
                "before the clinic gives it."
            )
            % names
        )
    if decision == "pending":
        return _(
            "%(platform)s is a new sub-processor for %(clinic)s: the clinic may object until "
            "%(date)s, and it is not used before then."
        ) % (names | {"date": change.object_by.isoformat()})
    if decision == "objected":
        return _(
            "%(clinic)s objected to %(platform)s as a sub-processor on %(date)s: it is not used "
            "for the clinic."
        ) % (names | {"date": change.objected_on.isoformat()})
    return (
        _(
            "%(platform)s is not a sub-processor %(clinic)s has authorised: name it in the agreement "
            "or notify the clinic of the change first."
        )
        % names
    )


def _health_audience_blockers(campaign: Campaign, *, on: datetime.date) -> list[str]:
    """A health-related audience: the DPIA covering campaign audiences, current and decided to
    go ahead; the clinic's Art. 9(2) basis as the declaration requires it, and where the clinic
    documents it (CL-06)."""
    reasons = []
    declared = get_declaration().clinic_processing[AUDIENCES].special
    dpia = campaign.dpia
    if dpia is None:
        reasons.append(
            _("A health-related audience needs a DPIA (GDPR Art. 35); choose %(reference)s.")
            % {"reference": declared.dpia}
        )
    elif not dpia_covers(dpia, f"clinic_processing.{AUDIENCES}"):
        reasons.append(
            _("%(reference)s does not cover audiences for clinics' campaigns.")
            % {"reference": dpia.reference}
        )
    elif dpia.is_lapsed(on):
        reasons.append(
            _("%(reference)s was due for review on %(date)s: it has lapsed until reviewed.")
            % {"reference": dpia.reference, "date": dpia.review_on.isoformat()}
        )
    elif not dpia.allows_processing(on):
        reasons.append(
            _("%(reference)s has no decision that lets the processing go ahead (%(decision)s).")
            % {"reference": dpia.reference, "decision": dpia.get_decision_display()}
        )
    if campaign.art9_basis != declared.condition:
        reasons.append(
            _(
                "A health-related audience needs the clinic's documented basis under GDPR "
                "Art. 9(2): %(condition)s (%(article)s)."
            )
            % {
                "condition": ART9_CONDITION_NAMES[declared.condition],
                "article": declared.condition_article,
            }
        )
    elif not campaign.art9_basis_documentation.strip():
        reasons.append(_("Record where the clinic documents its Art. 9(2) basis."))
    return reasons


def start_campaign(*, campaign_id: int, actor: str, on: datetime.date | None = None) -> Campaign:
    """Start a campaign, or refuse with every reason and change nothing (CampaignRefused).

    Audited: who started it, and under which DPIA and basis when the audience is health-related.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("clinic", "dpia", "platform")
            .get(pk=campaign_id)
        )
        reasons = start_blockers(campaign, on=on)
        if reasons:
            raise CampaignRefused(reasons)
        campaign.status = Campaign.Status.RUNNING
        campaign.started_at = timezone.now()
        campaign.started_by = actor
        campaign.save(update_fields=["status", "started_at", "started_by"])
        reason = "campaign started"
        if campaign.reveals_health:
            reason += (
                f"; health-related audience under {campaign.dpia.reference}, "
                f"Art. 9(2) {campaign.art9_basis}"
            )
        record_event(
            actor=actor,
            action="change",
            object_type="campaigns.Campaign",
            object_id=campaign.pk,
            reason=reason,
        )
    return campaign


def stop_campaign(*, campaign_id: int, actor: str) -> Campaign:
    """Stop a running campaign (a lapsed DPIA, the clinic's instruction, the end of the work);
    audited. A campaign that is not running is left as it is."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status != Campaign.Status.RUNNING:
            raise CampaignRefused(_("The campaign is not running."))
        campaign.status = Campaign.Status.STOPPED
        campaign.save(update_fields=["status"])
        record_event(
            actor=actor,
            action="change",
            object_type="campaigns.Campaign",
            object_id=campaign.pk,
            reason="campaign stopped",
        )
    return campaign
