"""Retention skips a person whose privacy request is open, as the rights app reports it
(rights.selectors.subject_ids_with_open_requests; checklist RT-02)."""

import datetime

import pytest
from django.utils import timezone

from leads.models import Lead
from leads.tests.factories import make_lead
from retention.tests.helpers import START, at, count_for, sweep_at

pytestmark = pytest.mark.django_db


def open_request(subject, status: str = "open"):
    from rights.models import Request

    return Request.objects.create(
        subject=subject,
        kind=Request.Kind.ACCESS,
        status=status,
        received_via=Request.ReceivedVia.PORTAL,
        due_at=timezone.now() + datetime.timedelta(days=30),
        verified_at=timezone.now(),
    )


def test_ret_01_a_lead_whose_request_is_open_is_kept_and_goes_once_it_is_closed():
    with at(START):
        lead = make_lead()
    request = open_request(lead.subject)
    two_years_on = START.replace(year=2026)

    run = sweep_at(two_years_on)

    assert Lead.objects.filter(pk=lead.pk).exists()
    assert count_for(run, "lead_after_last_contact").kept["open_request"] == 1

    request.status = "completed"
    request.closed_at = two_years_on
    request.save()
    sweep_at(two_years_on + datetime.timedelta(days=1))
    assert not Lead.objects.filter(pk=lead.pk).exists()
