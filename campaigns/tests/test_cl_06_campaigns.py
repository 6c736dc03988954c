"""Campaigns for clinics (checklist CL-01, CL-06): a campaign starts only for a clinic that
accepts work, and one whose audience can reveal that someone is the clinic's patient starts only
with a current DPIA covering it and the clinic's documented Art. 9(2) basis; a refusal says why
and changes nothing; a start is audited; staff see only their clinics' campaigns (CL-02)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

from assessments.models import DPIA
from assessments.tests.factories import make_dpia
from audit.models import AuditEntry
from campaigns.models import Campaign
from campaigns.selectors import running_without_current_dpia
from campaigns.services import CampaignRefused, start_campaign, stop_campaign
from campaigns.tests.factories import make_campaign
from clinics.tests.factories import make_clinic
from staff.services import sync_roles
from staff.testing import sign_in_verified
from wekst.workbench import workbench_for

pytestmark = pytest.mark.django_db


def with_basis(campaign: Campaign, dpia: DPIA | None = None) -> Campaign:
    campaign.dpia = dpia or make_dpia()
    campaign.art9_basis = "explicit_consent"
    campaign.art9_basis_documentation = "Consent records in the clinic's booking system, form v3."
    campaign.save()
    return campaign


def refusal(campaign: Campaign) -> list[str]:
    with pytest.raises(CampaignRefused) as caught:
        start_campaign(campaign_id=campaign.pk, actor="kari")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT and campaign.started_at is None
    return caught.value.messages


def test_cl_06_a_health_related_campaign_starts_with_a_current_dpia_and_the_clinics_basis():
    campaign = with_basis(make_campaign())

    started = start_campaign(campaign_id=campaign.pk, actor="kari")

    assert started.status == Campaign.Status.RUNNING and started.started_by == "kari"
    entry = AuditEntry.objects.get(object_type="campaigns.Campaign", object_id=str(campaign.pk))
    assert entry.actor == "kari" and entry.action == "change"
    assert "DPIA-2026-02" in entry.reason and "explicit_consent" in entry.reason


def test_cl_06_a_health_related_campaign_without_a_dpia_is_refused():
    campaign = make_campaign(art9_basis="explicit_consent", art9_basis_documentation="Consent log")
    [reason] = refusal(campaign)
    assert "needs a DPIA" in reason and "DPIA-2026-02" in reason
    assert not AuditEntry.objects.filter(object_type="campaigns.Campaign").exists()


def test_cl_06_a_health_related_campaign_without_the_clinics_documented_basis_is_refused():
    campaign = make_campaign(dpia=make_dpia())
    [reason] = refusal(campaign)
    assert "documented basis under GDPR Art. 9(2)" in reason and "Art. 9(2)(a)" in reason

    campaign.art9_basis = "explicit_consent"
    campaign.save()
    [reason] = refusal(campaign)
    assert "Record where the clinic documents" in reason

    campaign.art9_basis = "health_or_social_care"
    campaign.art9_basis_documentation = "Patient records"
    campaign.save()
    [reason] = refusal(campaign)
    assert "Explicit consent" in reason


@pytest.mark.parametrize(
    ("dpia_options", "expected"),
    [
        ({"covers": ("clinic_processing.clinic_enquiries",)}, "does not cover"),
        ({"decision": DPIA.Decision.PRIOR_CONSULTATION}, "no decision that lets"),
        ({"decision": ""}, "no decision that lets"),
    ],
    ids=["covers something else", "prior consultation", "undecided"],
)
def test_cl_06_a_dpia_that_does_not_vouch_for_the_audience_is_refused(dpia_options, expected):
    campaign = with_basis(make_campaign(), make_dpia(**dpia_options))
    [reason] = refusal(campaign)
    assert expected in reason


def test_cl_06_a_lapsed_dpia_stops_a_campaign_from_starting():
    campaign = with_basis(make_campaign(), make_dpia(review_in_days=20))
    with time_machine.travel(timezone.now() + datetime.timedelta(days=21)):
        [reason] = refusal(campaign)
    assert "has lapsed until reviewed" in reason


def test_cl_06_an_audience_from_patients_counts_as_health_related_even_unflagged():
    campaign = make_campaign(health_related_audience=False)
    reasons = refusal(campaign)
    assert any("needs a DPIA" in r for r in reasons)
    assert campaign.reveals_health


def test_cl_06_a_general_audience_needs_no_dpia():
    campaign = make_campaign(
        audience_source=Campaign.AudienceSource.GENERAL, health_related_audience=False
    )
    assert start_campaign(campaign_id=campaign.pk, actor="kari").status == Campaign.Status.RUNNING


def test_cl_01_no_campaign_starts_for_a_clinic_without_a_current_agreement():
    clinic = make_clinic(agreement_signed_on=None)
    campaign = with_basis(make_campaign(clinic))
    [reason] = refusal(campaign)
    assert "Tannlege Nord AS has no agreement in force" in reason


def test_cl_06_a_running_campaign_is_not_started_twice():
    campaign = with_basis(make_campaign())
    start_campaign(campaign_id=campaign.pk, actor="kari")
    with pytest.raises(CampaignRefused, match="already running"):
        start_campaign(campaign_id=campaign.pk, actor="kari")


# The back office ----------------------------------------------------------------------------------


def test_cl_06_the_admin_action_starts_or_says_why_not(admin_client):
    refused = make_campaign(name="No basis")
    ready = with_basis(make_campaign(refused.clinic, name="With basis"))
    url = "/admin/campaigns/campaign/"
    response = admin_client.post(
        url,
        {"action": "start_selected", "_selected_action": [refused.pk, ready.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert (
        "No basis (Tannlege Nord AS) was not started: A health-related audience needs a DPIA"
        in text
    )
    assert "With basis (Tannlege Nord AS) started." in text
    refused.refresh_from_db()
    ready.refresh_from_db()
    assert refused.status == Campaign.Status.DRAFT and ready.status == Campaign.Status.RUNNING


def test_cl_02_staff_see_only_the_campaigns_of_their_clinics(django_user_model, client):
    sync_roles()
    mine = make_clinic("mine", name="Min Klinikk AS")
    other = make_clinic("other", name="Annen Klinikk AS")
    make_campaign(mine, name="Mine")
    hidden = make_campaign(other, name="Theirs")
    user = django_user_model.objects.create_user(
        username="sales", password="correct horse battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Sales"))
    mine.staff.add(user)
    sign_in_verified(client, user)

    listing = client.get("/admin/campaigns/campaign/").content.decode()

    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(f"/admin/campaigns/campaign/{hidden.pk}/change/").status_code == 302


def test_cl_06_a_running_campaigns_audience_and_basis_cannot_be_changed(admin_client):
    campaign = with_basis(make_campaign())
    start_campaign(campaign_id=campaign.pk, actor="kari")
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert 'name="dpia"' not in page and 'name="audience_source"' not in page
    assert 'name="name"' in page


def test_cl_06_a_campaign_on_a_lapsed_dpia_shows_on_the_workbench_and_can_be_stopped(admin_user):
    campaign = with_basis(make_campaign(), make_dpia(review_in_days=5))
    start_campaign(campaign_id=campaign.pk, actor="kari")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6)):
        assert list(running_without_current_dpia(on=timezone.localdate())) == [campaign]
        [section] = [s for s in workbench_for(user=admin_user) if s.title == "Impact assessments"]
    line = next(line for line in section.lines if "lapsed DPIA" in line.label)
    assert line.count == 1 and line.urgent

    stopped = stop_campaign(campaign_id=campaign.pk, actor="kari")

    assert stopped.status == Campaign.Status.STOPPED
    assert AuditEntry.objects.filter(reason="campaign stopped", actor="kari").exists()
    with pytest.raises(CampaignRefused, match="not running"):
        stop_campaign(campaign_id=campaign.pk, actor="kari")
