"""Staff assigned to one clinic see only that clinic's people, in the subject index and in the
rights tools (the request list, a request, its access report and export, the restrictions), and
everything else answers 404 as if it did not exist (checklist CL-02; GDPR Art. 28(3)(b), 29,
32(4))."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from clinics.services import submit_clinic_enquiry
from clinics.tests.factories import make_clinic
from leads.tests.factories import make_lead
from rights.models import Request, Restriction
from rights.services.opening import open_request
from staff.services import sync_roles
from staff.testing import sign_in_verified
from subjects.models import Subject

pytestmark = pytest.mark.django_db

SUBJECTS = "/admin/subjects/subject/"
REQUESTS = "/admin/rights/request/"
RESTRICTIONS = "/admin/rights/restriction/"


def _staff(django_user_model, username: str, role: str | None = "Sales"):
    sync_roles()
    user = django_user_model.objects.create_user(
        username=username, password="correct horse battery", is_staff=True
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = Client()
    sign_in_verified(client, user)
    return user, client


@pytest.fixture
def two_clinics(django_user_model):
    """Two clinics, a patient and an access request for each, a person who enquired at both, a
    lead of Wekst's own, and a staff member assigned to each clinic."""
    north = make_clinic()
    south = make_clinic("tannlege-sor", name="Tannlege Sør AS")
    people = {}
    for clinic in (north, south):
        email = f"patient@{clinic.slug}.example"
        submit_clinic_enquiry(clinic=clinic, name="Patient", email=email, language="nb")
        request = open_request(
            kind="access", email=email, received_via="email", identity_check="Called back."
        )
        Restriction.objects.create(subject=request.subject, kind="restriction", request=request)
        people[clinic.slug] = request
    for clinic in (north, south):
        submit_clinic_enquiry(clinic=clinic, name="Both", email="both@example.no", language="nb")
    make_lead(name="Own Lead", email="own@example.no")
    north_staff, north_client = _staff(django_user_model, "north")
    south_staff, south_client = _staff(django_user_model, "south")
    north.staff.add(north_staff)
    south.staff.add(south_staff)
    return {
        "north": (north_client, people["tannlege-nord"]),
        "south": (south_client, people["tannlege-sor"]),
    }


@pytest.mark.parametrize(("mine", "theirs"), [("north", "south"), ("south", "north")])
def test_cl_02_staff_of_one_clinic_see_only_its_people_in_the_subject_index(
    two_clinics, mine, theirs
):
    client, own_request = two_clinics[mine]
    _, other_request = two_clinics[theirs]

    page = client.get(SUBJECTS)
    assert page.status_code == 200
    assert own_request.subject.email in page.text
    assert other_request.subject.email not in page.text
    # Neither Wekst's own people nor a person who is also another clinic's.
    assert "own@example.no" not in page.text
    assert "both@example.no" not in page.text
    assert client.get(f"{SUBJECTS}{own_request.subject.pk}/change/").status_code == 200
    assert client.get(f"{SUBJECTS}{other_request.subject.pk}/change/").status_code == 404
    # A search for the other clinic's patient by address finds no one.
    found = client.get(SUBJECTS, {"q": other_request.subject.email})
    assert found.status_code == 200 and found.context["cl"].result_count == 0
    both = Subject.objects.get(email="both@example.no")
    assert client.get(f"{SUBJECTS}{both.pk}/change/").status_code == 404


@pytest.mark.parametrize(("mine", "theirs"), [("north", "south"), ("south", "north")])
def test_cl_02_staff_of_one_clinic_see_only_requests_about_its_people(two_clinics, mine, theirs):
    client, own = two_clinics[mine]
    _, other = two_clinics[theirs]

    listing = client.get(REQUESTS)
    assert listing.status_code == 200
    assert str(own.public_id)[:8] in listing.text
    assert str(other.public_id)[:8] not in listing.text
    assert client.get(f"{REQUESTS}{own.pk}/change/").status_code == 200
    assert client.get(f"{REQUESTS}{other.pk}/change/").status_code == 404

    restrictions = client.get(RESTRICTIONS).text
    assert own.subject.email in restrictions and other.subject.email not in restrictions


@pytest.mark.parametrize(("mine", "theirs"), [("north", "south"), ("south", "north")])
def test_cl_02_staff_of_one_clinic_export_only_their_own_peoples_reports(two_clinics, mine, theirs):
    client, own = two_clinics[mine]
    _, other = two_clinics[theirs]

    assert client.get(f"{REQUESTS}{own.pk}/report/").status_code == 200
    export = client.get(f"{REQUESTS}{own.pk}/report.json")
    assert export.status_code == 200 and own.subject.email in export.content.decode()
    assert client.get(f"{REQUESTS}{other.pk}/report/").status_code == 404
    assert client.get(f"{REQUESTS}{other.pk}/report.json").status_code == 404
    assert client.get(f"{REQUESTS}{other.pk}/report.xyz").status_code == 404


def test_cl_02_clinic_staff_read_requests_but_handling_stays_with_the_privacy_officer(
    two_clinics,
):
    client, own = two_clinics["north"]
    page = client.get(f"{REQUESTS}{own.pk}/change/").text
    assert "/report/" in page and "/extend/" not in page and "/refuse/" not in page
    assert client.get(f"{REQUESTS}{own.pk}/extend/").status_code == 403
    assert client.get(f"{REQUESTS}{own.pk}/complete/").status_code == 403
    restriction = Restriction.objects.get(subject=own.subject)
    assert "/lift/" not in client.get(RESTRICTIONS).text
    assert client.get(f"{RESTRICTIONS}{restriction.pk}/lift/").status_code == 403
    listing = client.get(REQUESTS).text
    assert "carry_out_erasure" not in listing


def test_cl_02_staff_assigned_to_no_clinic_still_do_not_reach_the_rights_tools(
    two_clinics, django_user_model
):
    _, client = _staff(django_user_model, "sales-only")
    assert client.get(SUBJECTS).status_code == 403
    assert client.get(REQUESTS).status_code == 403
    assert client.get(f"{REQUESTS}{Request.objects.first().pk}/report.json").status_code == 403


def test_cl_02_the_privacy_officer_still_sees_everyone(two_clinics, django_user_model):
    _, client = _staff(django_user_model, "officer", role="Privacy officer")
    unverified = open_request(kind="access", email="new@example.no")
    subjects = client.get(SUBJECTS).text
    assert "both@example.no" in subjects and "own@example.no" in subjects
    requests = client.get(REQUESTS).text
    for slug in ("north", "south"):
        assert str(two_clinics[slug][1].public_id)[:8] in requests
    assert str(unverified.public_id)[:8] in requests
    own = two_clinics["north"][1]
    assert f"{own.pk}/extend/" in client.get(f"{REQUESTS}{own.pk}/change/").text
