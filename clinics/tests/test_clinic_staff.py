"""Who sees a clinic's data: only staff assigned to that clinic, besides superusers, the
administrator and the privacy officer; Wekst's own leads stay visible as before (checklist CL-02;
GDPR Art. 29, 32(4))."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from clinics.models import Clinic
from clinics.selectors import clinics_visible_to
from clinics.services import submit_clinic_enquiry
from clinics.tests.factories import DUTY_INLINES, make_clinic
from leads.models import Lead, Meeting
from leads.tests.factories import make_lead
from staff.services import sync_roles
from staff.testing import sign_in_verified

pytestmark = pytest.mark.django_db

LEADS = "/admin/leads/lead/"
MEETINGS = "/admin/leads/meeting/"


def make_staff(django_user_model, username: str, role: str = "Sales"):
    sync_roles()
    user = django_user_model.objects.create_user(
        username=username, password="correct horse battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def signed_in(user) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


@pytest.fixture
def two_clinics():
    """Two clinics with a lead each (each with a meeting), and one lead of Wekst's own."""
    north = make_clinic()
    south = make_clinic("tannlege-sor", name="Tannlege Sør AS")
    for clinic, name in ((north, "North Patient"), (south, "South Patient")):
        lead, _ = submit_clinic_enquiry(
            clinic=clinic, name=name, email=f"{clinic.slug}@example.no", language="nb"
        )
        Meeting.objects.create(
            lead=lead,
            subject=lead.subject,
            provider=Meeting.Provider.CALCOM,
            provider_booking_id=f"booking-{clinic.slug}",
            status=Meeting.Status.BOOKED,
            starts_at=datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC),
        )
    make_lead(name="Own Lead", email="own@example.no")
    return north, south


def test_cl_02_sales_sees_only_the_leads_of_clinics_they_are_assigned_to(
    django_user_model, two_clinics
):
    north, south = two_clinics
    sales = make_staff(django_user_model, "sales")
    north.staff.add(sales)
    client = signed_in(sales)

    page = client.get(LEADS, {"collected_for": "all"}).text

    assert "North Patient" in page
    assert "South Patient" not in page
    assert "Own Lead" in page
    # The filter offers only the clinics the person may see.
    assert "Tannlege Nord AS" in page
    assert "Tannlege Sør AS" not in page
    assert "South Patient" not in client.get(LEADS, {"collected_for": south.pk}).text


def test_cl_02_an_unassigned_clinics_lead_is_not_shown_by_its_address(
    django_user_model, two_clinics
):
    north, south = two_clinics
    sales = make_staff(django_user_model, "sales")
    north.staff.add(sales)
    client = signed_in(sales)
    theirs = Lead.objects.get(clinic=south)
    mine = Lead.objects.get(clinic=north)

    for url in (f"{LEADS}{theirs.pk}/change/", f"{LEADS}{theirs.pk}/history/"):
        response = client.get(url, follow=True)
        assert "South Patient" not in response.text, url
        assert "tannlege-sor@example.no" not in response.text, url
        assert response.redirect_chain and response.redirect_chain[0][0] == "/admin/", url
    # A change posted to it changes nothing.
    client.post(f"{LEADS}{theirs.pk}/change/", {"name": "Changed"})
    theirs.refresh_from_db()
    assert theirs.name == "South Patient"
    assert client.get(f"{LEADS}{mine.pk}/change/").status_code == 200


def test_cl_02_search_does_not_find_an_unassigned_clinics_leads_or_meetings(
    django_user_model, two_clinics
):
    sales = make_staff(django_user_model, "sales")
    client = signed_in(sales)

    # The search term is shown back on the page: what counts is what the search found.
    for term in ("South Patient", "tannlege-sor@example.no", "Patient", "example.no"):
        leads = client.get(LEADS, {"q": term, "collected_for": "all"}).context["cl"].result_list
        meetings = client.get(MEETINGS, {"q": term}).context["cl"].result_list
        assert all(lead.clinic is None for lead in leads), term
        assert not meetings, term
    assert "Own Lead" in client.get(LEADS, {"q": "Own"}).text


def test_cl_02_meetings_are_seen_only_where_their_lead_is(django_user_model, two_clinics):
    north, south = two_clinics
    sales = make_staff(django_user_model, "sales")
    north.staff.add(sales)
    client = signed_in(sales)
    theirs = Meeting.objects.get(lead__clinic=south)

    listed = client.get(MEETINGS).text
    assert "North Patient" in listed
    assert "South Patient" not in listed
    response = client.get(f"{MEETINGS}{theirs.pk}/change/", follow=True)
    assert "South Patient" not in response.text
    assert response.redirect_chain[0][0] == "/admin/"
    mine = Meeting.objects.get(lead__clinic=north)
    assert client.get(f"{MEETINGS}{mine.pk}/change/").status_code == 200


def test_cl_02_related_lookups_leave_out_unassigned_clinics_leads(django_user_model, two_clinics):
    sales = make_staff(django_user_model, "sales")
    client = signed_in(sales)

    # The pop-up list a related-object lookup opens is the same list, the same rule.
    page = client.get(LEADS, {"_popup": "1", "_to_field": "id", "collected_for": "all"}).text

    assert "Own Lead" in page
    assert "Patient" not in page


@pytest.mark.parametrize("role", ["Administrator", "Privacy officer"])
def test_cl_02_the_administrator_and_the_privacy_officer_see_every_clinic(
    django_user_model, two_clinics, role
):
    north, south = two_clinics
    client = signed_in(make_staff(django_user_model, "officer", role))

    page = client.get(LEADS, {"collected_for": "all"}).text
    assert "North Patient" in page
    assert "South Patient" in page
    assert "Own Lead" in page
    theirs = Lead.objects.get(clinic=south)
    assert client.get(f"{LEADS}{theirs.pk}/change/").status_code == 200
    assert "South Patient" in client.get(MEETINGS).text


def test_cl_02_a_superuser_sees_every_clinic(admin_client, two_clinics):
    page = admin_client.get(LEADS, {"collected_for": "all"}).text
    assert "North Patient" in page
    assert "South Patient" in page


def test_cl_02_wekst_own_leads_are_seen_by_sales_without_any_assignment(
    django_user_model, two_clinics
):
    client = signed_in(make_staff(django_user_model, "sales"))
    own = Lead.objects.get(clinic__isnull=True)

    page = client.get(LEADS).text

    assert "Own Lead" in page
    assert "Patient" not in page
    assert client.get(f"{LEADS}{own.pk}/change/").status_code == 200


def test_cl_02_no_clinic_is_visible_to_someone_who_is_not_staff(django_user_model, two_clinics):
    north, _ = two_clinics
    former = make_staff(django_user_model, "former")
    north.staff.add(former)
    former.is_staff = False
    former.save()

    assert not clinics_visible_to(former).exists()


def test_cl_02_staff_are_assigned_to_a_clinic_in_its_back_office_page(
    django_user_model, admin_client
):
    sales = make_staff(django_user_model, "sales")
    django_user_model.objects.create_user(username="visitor", password="correct horse battery")

    form = admin_client.get("/admin/clinics/clinic/add/").text
    assert "staff assigned to this clinic" in form.lower()
    assert ">sales<" in form
    assert ">visitor<" not in form  # not a staff account: cannot be assigned
    response = admin_client.post(
        "/admin/clinics/clinic/add/",
        {
            "name": "Hudklinikken AS",
            "slug": "hudklinikken",
            "staff": [sales.pk],
            **{
                f"{prefix}-{key}": value
                for prefix in ("agreements", "engagements", "contacts", *DUTY_INLINES)
                for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
        },
    )

    assert response.status_code == 302
    assert list(Clinic.objects.get(slug="hudklinikken").staff.all()) == [sales]
    assert list(clinics_visible_to(sales)) == [Clinic.objects.get(slug="hudklinikken")]


def test_cl_02_sales_cannot_assign_themselves_to_a_clinic(django_user_model, two_clinics):
    north, _ = two_clinics
    client = signed_in(make_staff(django_user_model, "sales"))

    assert client.get(f"/admin/clinics/clinic/{north.pk}/change/").status_code == 403


# Never Wekst's own purposes: marketing, notifications to the whole team -------------------------


def test_cl_02_a_clinics_lead_is_told_only_to_the_staff_assigned_to_that_clinic(
    django_user_model, settings
):
    from leads.services import tell_staff
    from mail.models import OutgoingEmail

    settings.WEKST_STAFF_EMAILS = ["hello@wekst.test"]
    north = make_clinic()
    assigned = make_staff(django_user_model, "assigned")
    assigned.email = "assigned@wekst.test"
    assigned.save()
    other = make_staff(django_user_model, "other")
    other.email = "other@wekst.test"
    other.save()
    north.staff.add(assigned)
    lead, _ = submit_clinic_enquiry(
        clinic=north, name="North Patient", email="p@example.no", language="nb"
    )
    own = make_lead(name="Own Lead", email="own@example.no")

    assert tell_staff(lead_id=lead.pk) == 1
    assert tell_staff(lead_id=own.pk) == 1
    told = OutgoingEmail.objects.filter(subject=lead.subject)
    assert list(told.values_list("to_address", flat=True)) == ["assigned@wekst.test"]
    assert OutgoingEmail.objects.get(subject=own.subject).to_address == "hello@wekst.test"


def test_cl_02_a_clinics_lead_with_no_one_assigned_is_announced_without_its_details(settings):
    from leads.services import tell_staff
    from mail.models import OutgoingEmail

    settings.WEKST_STAFF_EMAILS = ["hello@wekst.test"]
    clinic = make_clinic()
    lead, _ = submit_clinic_enquiry(
        clinic=clinic, name="North Patient", email="p@example.no", language="nb"
    )

    assert tell_staff(lead_id=lead.pk) == 1
    [notice] = OutgoingEmail.objects.all()
    assert notice.to_address == "hello@wekst.test"
    assert clinic.name in notice.subject_line and "no one is assigned" in notice.subject_line
    assert f"/admin/clinics/clinic/{clinic.pk}/change/" in notice.body_text
    everything = notice.subject_line + notice.body_text + str(notice.headers)
    assert "North Patient" not in everything and "p@example.no" not in everything
    assert notice.subject is None
    assert Lead.objects.filter(pk=lead.pk, staff_notified_at__isnull=False).exists()
    assert tell_staff(lead_id=lead.pk) == 0  # once only


def test_cl_02_a_clinics_lead_never_starts_wekst_marketing_whatever_the_caller_passes():
    from leads.services import submit_enquiry

    lead, _ = submit_enquiry(
        kind=Lead.Kind.CONTACT,
        name="North Patient",
        email="p@example.no",
        source="clinic_form:tannlege-nord",
        language="nb",
        marketing_consent=True,
        marketing_consent_wording="Send me Wekst's newsletter",
        clinic=make_clinic(),
    )

    assert not lead.marketing_consent
    assert lead.marketing_consent_wording == ""
    assert not lead.subject.newsletter_subscriptions.exists()
