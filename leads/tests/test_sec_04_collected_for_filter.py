"""The lead list's "collected for" filter takes "all" or a clinic's id; anything else is the
list's own error, not a server error (SEC-04; CL-02)."""

import pytest

from clinics.tests.factories import make_clinic
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

LEADS = "/admin/leads/lead/"


@pytest.mark.parametrize("value", ["nonsense", "", "1.5", "-", "99999999999999999999999"])
def test_sec_04_a_collected_for_that_is_no_clinics_id_is_the_lists_error(admin_client, value):
    make_lead()
    answer = admin_client.get(LEADS, {"collected_for": value})
    assert (answer.status_code, answer["Location"]) == (302, f"{LEADS}?e=1")


def test_sec_04_every_clinic_and_one_clinic_are_still_chosen(admin_client):
    lead = make_lead()
    clinic = make_clinic()
    every = admin_client.get(LEADS, {"collected_for": "all"})
    assert every.status_code == 200 and lead.email in every.text
    one = admin_client.get(LEADS, {"collected_for": str(clinic.pk)})
    assert one.status_code == 200 and lead.email not in one.text
