"""CL-03 before use: a clinic's campaign runs only on a platform the clinic authorised as its
sub-processor. A platform notified as a change is refused until the clinic's time to object has
passed without an objection; an objected or never-authorised platform is refused, and the refusal
says which of these it is."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services import CampaignRefused, start_campaign
from campaigns.tests.factories import authorised_platform, make_campaign
from clinics.models import SubProcessorAuthorisation
from clinics.sub_processors import propose_sub_processor, record_objection
from clinics.tests.factories import make_clinic
from processors.models import Recipient
from processors.services import sync_register

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def clinic():
    today = timezone.localdate()
    clinic = make_clinic(engaged_from=today - 90 * DAY, agreement_signed_on=today - 90 * DAY)
    clinic.agreements.update(sub_processor_authorisation=SubProcessorAuthorisation.GENERAL)
    return clinic


@pytest.fixture
def platform():
    sync_register()
    return Recipient.objects.get(key="google_ads")


def general_campaign(clinic, platform) -> Campaign:
    return make_campaign(
        clinic,
        platform=platform,
        audience_source=Campaign.AudienceSource.GENERAL,
        health_related_audience=False,
    )


def refused(campaign: Campaign) -> list[str]:
    with pytest.raises(CampaignRefused) as caught:
        start_campaign(campaign_id=campaign.pk, actor="kari")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    return caught.value.messages


def test_cl_03_a_campaign_on_a_platform_inside_the_objection_period_is_refused(clinic, platform):
    change = propose_sub_processor(
        clinic=clinic, recipient=platform, reason="Ads for the clinic", actor="po"
    )
    campaign = general_campaign(clinic, platform)

    [reason] = refused(campaign)

    assert "Google Ads is a new sub-processor for Tannlege Nord AS" in reason
    assert f"may object until {change.object_by.isoformat()}" in reason


def test_cl_03_after_the_deadline_without_objection_the_campaign_starts(clinic, platform):
    change = propose_sub_processor(
        clinic=clinic, recipient=platform, reason="Ads for the clinic", actor="po"
    )
    campaign = general_campaign(clinic, platform)
    with time_machine.travel(timezone.now() + (change.object_by - timezone.localdate() + DAY)):
        started = start_campaign(campaign_id=campaign.pk, actor="kari")
    assert started.status == Campaign.Status.RUNNING


def test_cl_03_a_platform_the_clinic_objected_to_is_refused_for_good(clinic, platform):
    change = propose_sub_processor(
        clinic=clinic, recipient=platform, reason="Ads for the clinic", actor="po"
    )
    record_objection(
        change=change, objected_on=timezone.localdate(), objection="Not Google.", actor="po"
    )
    campaign = general_campaign(clinic, platform)
    with time_machine.travel(timezone.now() + 60 * DAY):
        [reason] = refused(campaign)
    assert "Tannlege Nord AS objected to Google Ads as a sub-processor" in reason


def test_cl_03_a_platform_never_authorised_is_refused_with_the_other_reasons(clinic, platform):
    campaign = make_campaign(clinic, platform=platform)  # health-related, no DPIA, no basis

    reasons = refused(campaign)

    assert "Google Ads is not a sub-processor Tannlege Nord AS has authorised" in reasons[0]
    assert any("needs a DPIA" in reason for reason in reasons[1:])


def test_cl_03_a_platform_named_in_the_agreement_is_authorised_from_the_start(clinic):
    campaign = general_campaign(clinic, authorised_platform(clinic))
    assert start_campaign(campaign_id=campaign.pk, actor="kari").status == Campaign.Status.RUNNING


def test_cl_03_under_a_specific_authorisation_silence_past_the_deadline_is_not_enough(
    clinic, platform
):
    clinic.agreements.update(sub_processor_authorisation=SubProcessorAuthorisation.SPECIFIC)
    change = propose_sub_processor(
        clinic=clinic, recipient=platform, reason="Ads for the clinic", actor="po"
    )
    campaign = general_campaign(clinic, platform)
    with time_machine.travel(timezone.now() + (change.object_by - timezone.localdate() + DAY)):
        [reason] = refused(campaign)
    assert "Google Ads waits for the specific authorisation of Tannlege Nord AS" in reason
