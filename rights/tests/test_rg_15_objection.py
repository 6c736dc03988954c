"""RG-15: an objection to a processing on legitimate interests stops it for the person, unless
staff record compelling grounds that someone else reviews, and the person is sent the decision
with the right to complain and to go to court; an objection to direct marketing stays absolute
(GDPR Art. 21(1)-(3))."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEntry
from leads.models import Lead
from leads.tests.factories import make_lead
from mail.models import OutgoingEmail
from mail.services import queue_email
from rights.models import Objection, Request
from rights.processing import ProcessingStopped, may_process, objecting_subject_ids
from rights.services.objections import record_objection_grounds, review_objection_grounds
from rights.tests.factories import EMAIL, link_token_sent_to
from subjects.selectors import find_subjects

pytestmark = pytest.mark.django_db

OLA = "ola@example.no"
GROUNDS = "Kari's enquiry is the subject of a dispute about our quote; we keep following it up."


def object_through_portal(client, *activities, prefix="", email=EMAIL) -> Request:
    """Kari objects in the portal (in English, or Norwegian with prefix="/nb") and verifies."""
    response = client.post(
        f"{prefix}/privacy-requests/",
        {"kind": "objection_li", "email": email, "activities": list(activities)},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    token = link_token_sent_to(email)
    assert client.post(f"{prefix}/privacy-requests/verify/{token}/").status_code == 302
    return Request.objects.order_by("-pk").first()


def follow_up(email: str):
    """An information request's one follow-up, as any code would send it: through the queue."""
    lead = Lead.objects.filter(email=email).latest("pk")
    return queue_email(
        to=email,
        subject_line="Did the guide help?",
        body="Following up once on the guide you asked for.",
        purpose="information_requests",
        subject=lead.subject,
    )


@pytest.mark.parametrize(
    ("prefix", "name", "interest"),
    [
        ("", "Sending information you ask for", "following it up once"),
        ("/nb", "Sende informasjon du ber om", "følge den opp én gang"),
    ],
)
def test_rg_15_the_portal_names_each_legitimate_interest_processing_in_plain_words(
    client, prefix, name, interest
):
    page = client.get(f"{prefix}/privacy-requests/").content.decode()

    assert 'value="objection_li"' in page
    for key in ("information_requests", "client_marketing", "website_security"):
        assert f'value="{key}"' in page
    assert name in page and interest in page
    # Consent-based processing is not offered: it stops by withdrawing consent instead.
    assert 'value="newsletter"' not in page


def test_rg_15_an_objection_without_a_processing_named_is_refused_and_nothing_stored(client):
    response = client.post("/privacy-requests/", {"kind": "objection_li", "email": EMAIL})

    assert response.status_code == 400
    assert "Please choose which processing you object to." in response.content.decode()
    assert not Request.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_rg_15_an_objection_stops_the_processing_for_that_person_only(client, staff_addresses):
    make_lead(email=EMAIL, kind=Lead.Kind.INFORMATION_REQUEST)
    make_lead(email=OLA, kind=Lead.Kind.INFORMATION_REQUEST)

    request = object_through_portal(client, "information_requests")

    kari = find_subjects(email=EMAIL).get()
    [objection] = Objection.objects.all()
    assert (objection.subject, objection.activity) == (kari, "information_requests")
    assert objection.status == Objection.Status.IN_FORCE
    assert request.status == Request.Status.OPEN  # staff have the month to assess grounds
    assert OutgoingEmail.objects.filter(
        to_address=EMAIL, subject_line="Your objection is in force"
    ).exists()
    # The follow-up is not sent to Kari, loudly and with nothing stored; Ola still gets his.
    before = OutgoingEmail.objects.count()
    with pytest.raises(ProcessingStopped, match="objected to the processing 'information_req"):
        follow_up(EMAIL)
    assert OutgoingEmail.objects.count() == before
    assert follow_up(OLA).to_address == OLA
    assert not may_process(subject=kari, activity="information_requests")
    # Whatever selects whom to follow up leaves her out; other processing is untouched.
    leads = Lead.objects.exclude(subject_id__in=objecting_subject_ids("information_requests"))
    assert list(leads.values_list("email", flat=True)) == [OLA]
    assert may_process(subject=kari, activity="website_security")
    # Staff emails about her lead are other processing and still go.
    queue_email(
        to="privacy@wekst.test",
        subject_line="x",
        body="x",
        purpose="information_requests",
        subject=kari,
    )


def test_rg_15_compelling_grounds_need_a_reviewer_who_is_not_the_recorder(
    client, admin_client, privacy_officer_client, staff_addresses
):
    make_lead(email=EMAIL, kind=Lead.Kind.INFORMATION_REQUEST)
    object_through_portal(client, "information_requests")
    objection = Objection.objects.get()

    response = admin_client.post(
        f"/admin/rights/objection/{objection.pk}/grounds/",
        {"ground": "legal_claims", "reason": GROUNDS},
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.GROUNDS_RECORDED
    assert objection.grounds_recorded_by == "admin"
    # Recorded is not decided: the processing stays stopped until someone else reviews.
    assert not may_process(subject=objection.subject, activity="information_requests")
    assert OutgoingEmail.objects.filter(to_address="privacy@wekst.test").filter(
        subject_line__startswith="Grounds against an objection wait for review"
    )

    response = admin_client.post(
        f"/admin/rights/objection/{objection.pk}/review/", {"decision": "1"}
    )
    assert response.status_code == 200
    assert "Someone other than the person who recorded the grounds" in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == Objection.Status.GROUNDS_RECORDED
    assert not OutgoingEmail.objects.filter(subject_line="Our decision on your objection")
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Objection.objects.filter(pk=objection.pk).update(reviewed_by="admin")

    response = privacy_officer_client.post(
        f"/admin/rights/objection/{objection.pk}/review/", {"decision": "1"}
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OVERRIDDEN
    assert objection.reviewed_by == "privacy-officer"
    assert may_process(subject=objection.subject, activity="information_requests")
    assert follow_up(EMAIL).to_address == EMAIL
    assert Request.objects.get(kind="objection_li").status == Request.Status.COMPLETED


def test_rg_15_grounds_not_upheld_on_review_leave_the_objection_in_force(client, staff_addresses):
    make_lead(email=EMAIL, kind=Lead.Kind.INFORMATION_REQUEST)
    object_through_portal(client, "information_requests")
    objection = Objection.objects.get()
    record_objection_grounds(
        objection_id=objection.pk, ground="compelling", reason=GROUNDS, actor="anna"
    )

    review_objection_grounds(objection_id=objection.pk, actor="berit", uphold=False)

    objection.refresh_from_db()
    assert objection.status == Objection.Status.IN_FORCE
    assert (objection.ground, objection.grounds_reason) == ("", "")
    assert not may_process(subject=objection.subject, activity="information_requests")
    assert not OutgoingEmail.objects.filter(subject_line="Our decision on your objection")


@pytest.mark.parametrize(
    ("ground", "reason", "message"),
    [
        ("", GROUNDS, "Choose the ground"),
        ("because", GROUNDS, "Choose the ground"),
        ("compelling", "   ", "Write the grounds in full"),
    ],
)
def test_rg_15_grounds_without_a_ground_or_reasons_are_refused_and_nothing_stored(
    client, ground, reason, message
):
    object_through_portal(client, "information_requests")
    objection = Objection.objects.get()
    entries = AuditEntry.objects.count()

    with pytest.raises(ValidationError, match=message):
        record_objection_grounds(
            objection_id=objection.pk, ground=ground, reason=reason, actor="anna"
        )

    objection.refresh_from_db()
    assert objection.status == Objection.Status.IN_FORCE
    assert (objection.ground, objection.grounds_recorded_by) == ("", "")
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ["Our decision on your objection", "complain to Datatilsynet", "the courts"]),
        ("/nb", ["Avgjørelsen vår om protesten din", "klage til Datatilsynet", "domstolene"]),
    ],
)
def test_rg_15_the_decision_is_sent_to_the_person_with_the_complaint_and_judicial_remedy(
    client, staff_addresses, smtp_server, run_tasks, prefix, words
):
    make_lead(email=EMAIL, kind=Lead.Kind.INFORMATION_REQUEST)
    object_through_portal(client, "information_requests", prefix=prefix)
    objection = Objection.objects.get()
    record_objection_grounds(
        objection_id=objection.pk, ground="legal_claims", reason=GROUNDS, actor="anna"
    )
    review_objection_grounds(objection_id=objection.pk, actor="berit", uphold=True)

    run_tasks()

    [message] = [m for m in smtp_server.to(EMAIL) if m["Subject"] == words[0]]
    body = message.get_content()
    assert GROUNDS in body
    for word in words[1:]:
        assert word in body
    assert "https://www.datatilsynet.no" in body and "Postboks 458 Sentrum, 0105 Oslo" in body
    assert "Art. 21" in body or "art. 21" in body


def test_rg_15_an_objection_to_direct_marketing_stays_absolute_even_when_grounds_are_recorded(
    client, staff_addresses
):
    make_lead(email=EMAIL, kind=Lead.Kind.INFORMATION_REQUEST)
    object_through_portal(client, "client_marketing", "information_requests")
    marketing = Objection.objects.get(activity="client_marketing")
    kari = marketing.subject
    assert marketing.direct_marketing

    with pytest.raises(ValidationError, match="absolute"):
        record_objection_grounds(
            objection_id=marketing.pk, ground="compelling", reason=GROUNDS, actor="anna"
        )
    marketing.refresh_from_db()
    assert (marketing.status, marketing.ground) == (Objection.Status.IN_FORCE, "")
    # Overriding the other objection does not bring marketing back.
    other = Objection.objects.get(activity="information_requests")
    record_objection_grounds(
        objection_id=other.pk, ground="compelling", reason=GROUNDS, actor="anna"
    )
    review_objection_grounds(objection_id=other.pk, actor="berit", uphold=True)
    assert may_process(subject=kari, activity="information_requests")
    assert not may_process(subject=kari, activity="client_marketing")
    with pytest.raises(ProcessingStopped):
        queue_email(
            to=EMAIL, subject_line="News", body="x", purpose="client_marketing", subject=kari
        )
    # Not even by hand in the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        Objection.objects.filter(pk=marketing.pk).update(
            status="overridden", ground="compelling", grounds_recorded_by="anna", reviewed_by="b"
        )


def test_rg_15_the_portals_objection_to_direct_marketing_stops_client_marketing_too(client):
    client.post("/privacy-requests/", {"kind": "objection", "email": EMAIL})
    token = link_token_sent_to(EMAIL)
    client.post(f"/privacy-requests/verify/{token}/")
    kari = find_subjects(email=EMAIL).get()

    assert not may_process(subject=kari, activity="client_marketing")
    assert may_process(subject=kari, activity="information_requests")


def test_rg_15_every_step_is_in_the_audit_log(client, staff_addresses):
    make_lead(email=EMAIL, kind=Lead.Kind.INFORMATION_REQUEST)
    request = object_through_portal(client, "information_requests")
    objection = Objection.objects.get()
    record_objection_grounds(
        objection_id=objection.pk, ground="compelling", reason=GROUNDS, actor="anna"
    )
    review_objection_grounds(objection_id=objection.pk, actor="berit", uphold=True)

    steps = list(
        AuditEntry.objects.filter(object_id=str(objection.public_id))
        .order_by("sequence")
        .values_list("actor", "action", "reason")
    )
    assert steps == [
        ("requester", "create", "objection to information_requests in force"),
        (
            "anna",
            "change",
            "grounds recorded (compelling), waiting for review; processing still stopped",
        ),
        ("berit", "change", "grounds reviewed and upheld: objection overridden"),
        ("berit", "notify", "decision and its reasons sent to person"),
    ]
    request_steps = list(
        AuditEntry.objects.filter(object_id=str(request.public_id))
        .order_by("sequence")
        .values_list("actor", "reason")
    )
    assert request_steps[-2:] == [
        (
            "requester",
            "objection to processing on legitimate interests in force: information_requests",
        ),
        ("berit", "objection request completed"),
    ]
    assert {e.subject_ref for e in AuditEntry.objects.filter(object_type="rights.Objection")} == {
        str(objection.subject.public_id)
    }


def test_rg_15_only_staff_with_the_permission_may_record_or_review_grounds(
    client, sales_client, privacy_officer_client, django_user_model
):
    object_through_portal(client, "information_requests")
    objection = Objection.objects.get()

    for url in ("grounds", "review"):
        assert sales_client.get(f"/admin/rights/objection/{objection.pk}/{url}/").status_code == 403
        page = privacy_officer_client.get(f"/admin/rights/objection/{objection.pk}/{url}/")
        assert page.status_code == 200
    page = privacy_officer_client.get("/admin/rights/objection/").content.decode()
    assert "Record compelling grounds…" in page
    # The request's own page lists its objections and the step each one waits for.
    request = Request.objects.get(kind="objection_li")
    page = privacy_officer_client.get(f"/admin/rights/request/{request.pk}/change/")
    assert page.status_code == 200
    assert "information_requests" in page.content.decode()
    assert "Record compelling grounds…" in page.content.decode()
