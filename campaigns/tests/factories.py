"""Test data for campaigns: a campaign for a clinic, on a platform the clinic authorised."""

import datetime

from django.utils import timezone

from campaigns.models import Campaign
from clinics.tests.factories import make_clinic
from processors.models import Recipient
from processors.services import sync_register


def authorised_platform(clinic, key: str = "google_ads") -> Recipient:
    """The platform, from the register, named in the clinic's agreement (CL-03)."""
    sync_register()
    platform = Recipient.objects.get(key=key)
    for agreement in clinic.agreements.all():
        agreement.sub_processors.add(platform)
    return platform


def make_campaign(clinic=None, **fields) -> Campaign:
    clinic = clinic or make_clinic(
        engaged_from=timezone.localdate() - datetime.timedelta(days=30),
        agreement_signed_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    values = {
        "clinic": clinic,
        "name": "Implant campaign",
        "platform": fields.pop("platform", None) or authorised_platform(clinic),
        "audience_source": Campaign.AudienceSource.CUSTOMER_MATCH,
        "audience_description": "The clinic's patients who consented to ads about implants.",
        "health_related_audience": True,
    }
    return Campaign.objects.create(**(values | fields))
