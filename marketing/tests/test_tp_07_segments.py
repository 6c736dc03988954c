"""Audience segments of Wekst's own marketing (policy §10): listed in the policy with their data,
consent and platforms (TP-07), built only from people with the matching consent, never from anyone
restricted (RG-14), objecting (RG-15), unsubscribed, suppressed or erased, never from a clinic's
data (CL-02), and every export audited (SB-01)."""

import copy
import csv
import hashlib
import io
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client

from audit.models import AuditEntry
from clinics.services import submit_clinic_enquiry
from clinics.tests.factories import make_clinic
from declaration.schema import DeclarationError, parse_declaration
from declaration.selectors import get_declaration
from marketing import services
from marketing.selectors import segment_members
from newsletter.services import suppress
from newsletter.tests.factories import confirmed_subscription, unconfirmed_subscription
from rights.models import Restriction
from rights.services.erasure import erase_subject
from rights.services.opening import open_request
from staff.services import sync_roles
from staff.testing import sign_in_verified

pytestmark = pytest.mark.django_db

DECLARATION_FILE = Path(__file__).resolve().parents[2] / "declaration" / "declaration.yaml"
SEGMENTS = "/admin/marketing/segments/"
EXPORT = "/admin/marketing/segments/newsletter_subscribers/export/"


def _raw() -> dict:
    return copy.deepcopy(yaml.safe_load(DECLARATION_FILE.read_text(encoding="utf-8")))


def _members() -> set[str]:
    segment = get_declaration().segments["newsletter_subscribers"]
    return {member.email for member in segment_members(segment=segment)}


def _staff_client(django_user_model, username: str, role: str | None) -> Client:
    sync_roles()
    user = django_user_model.objects.create_user(
        username=username, password="correct horse battery", is_staff=True
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = Client()
    sign_in_verified(client, user)
    return client


# The policy lists the segments (TP-07) -----------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "nb"])
def test_tp_07_the_policy_lists_each_segment_with_its_data_consent_and_platforms(client, language):
    declaration = get_declaration()
    page = client.get("/privacy/" if language == "en" else "/nb/privacy/").text
    assert 'id="audience-segments"' in page
    for segment in declaration.segments.values():
        assert segment.name.in_language(language) in page
        assert segment.data.in_language(language) in page
        activity = declaration.activities[segment.activity]
        assert f'href="#activity-{activity.key}"' in page
        for key in segment.platforms:
            assert declaration.recipients[key].name.in_language(language) in page


def test_tp_07_a_segment_to_a_platform_its_consent_does_not_cover_is_refused_at_start_up():
    data = _raw()
    data["segments"]["newsletter_subscribers"]["platforms"] = ["google_ads"]
    with pytest.raises(DeclarationError) as refused:
        parse_declaration(data)
    assert any(
        p.startswith("segments.newsletter_subscribers: platform 'google_ads' is not covered")
        for p in refused.value.problems
    ), refused.value.problems


def test_tp_07_a_segment_whose_source_activity_does_not_rest_on_consent_is_refused():
    data = _raw()
    data["activities"]["newsletter"]["legal_basis"] = "legitimate_interests"
    data["activities"]["newsletter"]["legitimate_interest"] = {"en": "Ours.", "nb": "Vår."}
    with pytest.raises(DeclarationError) as refused:
        parse_declaration(data)
    assert (
        "segments.newsletter_subscribers: activity 'newsletter' does not rest on consent"
        in refused.value.problems
    )


def test_cl_02_a_segment_drawn_from_a_clinics_data_is_refused_at_start_up():
    for source in ("clinic_leads", "treatment_page_visitors"):
        data = _raw()
        data["segments"]["newsletter_subscribers"]["source"] = source
        with pytest.raises(DeclarationError) as refused:
            parse_declaration(data)
        [problem] = [p for p in refused.value.problems if p.startswith("segments.")]
        assert f"source {source!r} is refused" in problem
        assert "CL-02" in problem or "CL-06" in problem


def test_cl_06_a_segment_drawn_from_an_activity_that_can_reveal_health_is_refused_at_start_up():
    data = _raw()
    newsletter = data["activities"]["newsletter"]
    newsletter.update(
        special_categories=["health"], art9_condition="explicit_consent", dpia="DPIA-2026-09"
    )
    with pytest.raises(DeclarationError) as refused:
        parse_declaration(data)
    [problem] = [p for p in refused.value.problems if p.startswith("segments.")]
    assert "activity 'newsletter' can reveal special categories (health)" in problem
    assert "CL-06" in problem


# Who is in a segment ---------------------------------------------------------------------------


def test_tp_07_a_segment_holds_only_people_with_the_matching_consent():
    confirmed_subscription("kari@example.no")
    unconfirmed_subscription("ola@example.no")
    assert _members() == {"kari@example.no"}


def test_rg_14_a_restricted_person_is_left_out_of_every_segment():
    subscription = confirmed_subscription("kari@example.no")
    confirmed_subscription("per@example.no")
    request = open_request(
        kind="restriction", email="kari@example.no", received_via="email", identity_check="Call."
    )
    Restriction.objects.get_or_create(
        subject=subscription.subject,
        lifted_at=None,
        defaults={"kind": "restriction", "request": request},
    )
    assert _members() == {"per@example.no"}


def test_rg_15_a_person_objecting_to_direct_marketing_or_profiling_is_left_out():
    confirmed_subscription("kari@example.no")
    confirmed_subscription("per@example.no")
    request = open_request(
        kind="objection", email="kari@example.no", received_via="email", identity_check="Call."
    )
    Restriction.objects.get_or_create(
        subject=request.subject, lifted_at=None, defaults={"kind": "objection", "request": request}
    )
    assert _members() == {"per@example.no"}


def test_tp_07_suppressed_and_erased_people_are_left_out():
    confirmed_subscription("kari@example.no")
    erased = confirmed_subscription("ola@example.no")
    confirmed_subscription("per@example.no")
    # On the suppression list (a spam complaint reported by the provider) while still subscribed.
    suppress(email="kari@example.no", reason="complained")
    erase_subject(subject=erased.subject, actor="test", reason="erasure request")
    assert _members() == {"per@example.no"}


def test_cl_02_a_clinics_patients_are_never_in_a_segment_of_our_own():
    clinic = make_clinic()
    submit_clinic_enquiry(clinic=clinic, name="Patient", email="patient@example.no", language="nb")
    confirmed_subscription("kari@example.no")
    assert _members() == {"kari@example.no"}


# Exports -----------------------------------------------------------------------------------------


def test_tp_07_an_export_streams_the_segment_and_audits_who_what_where_and_how_many(
    django_user_model,
):
    confirmed_subscription("kari@example.no")
    confirmed_subscription("per@example.no", language="nb")
    client = _staff_client(django_user_model, "marketer", "Sales")

    page = client.get(SEGMENTS)
    assert page.status_code == 200 and "Newsletter subscribers" in page.text

    response = client.post(EXPORT, {"platform": "email_provider"})
    assert response.status_code == 200 and response.streaming
    assert response["X-Segment-Count"] == "2"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [["Email", "Language"], ["kari@example.no", "en"], ["per@example.no", "nb"]]

    [entry] = AuditEntry.objects.filter(object_type="marketing.Segment")
    assert (entry.actor, entry.action, entry.object_id) == (
        "marketer",
        "export",
        "newsletter_subscribers",
    )
    assert entry.reason.startswith("2 people to email_provider")
    assert "2 people to Brevo (addresses)" in client.get(SEGMENTS).text


def test_tp_07_an_ad_platform_receives_only_normalised_sha256_hashes(monkeypatch):
    """An ad platform acting on its own account (Google Ads customer match; PT-07) gets the
    address trimmed, lower-cased and SHA-256 hashed, as it asks, never the address."""
    data = _raw()
    data["activities"]["newsletter"]["recipients"].append("google_ads")
    data["segments"]["newsletter_subscribers"]["platforms"] = ["email_provider", "google_ads"]
    monkeypatch.setattr(services, "get_declaration", lambda: parse_declaration(data))
    confirmed_subscription("Kari@Example.no")

    export = services.export_segment(
        segment_key="newsletter_subscribers", platform="google_ads", actor="marketer"
    )
    assert export.header == ("Email",)
    assert export.rows == [(hashlib.sha256(b"kari@example.no").hexdigest(),)]
    assert AuditEntry.objects.get(object_type="marketing.Segment").reason.startswith(
        "1 people to google_ads (hashed)"
    )


def test_tp_07_an_export_to_a_platform_the_segment_does_not_declare_is_refused_and_not_audited(
    django_user_model,
):
    confirmed_subscription("kari@example.no")
    with pytest.raises(ValidationError, match="may go only to email_provider"):
        services.export_segment(
            segment_key="newsletter_subscribers", platform="google_ads", actor="marketer"
        )
    client = _staff_client(django_user_model, "marketer", "Sales")
    response = client.post(EXPORT, {"platform": "google_ads"})
    assert response.status_code == 400
    assert "may go only to" in response.content.decode()
    assert not AuditEntry.objects.filter(object_type="marketing.Segment").exists()
    assert client.post("/admin/marketing/segments/nobody/export/").status_code == 404


def test_tp_07_only_the_marketing_and_privacy_roles_reach_segments(django_user_model):
    confirmed_subscription("kari@example.no")
    officer = _staff_client(django_user_model, "officer", "Privacy officer")
    assert officer.get(SEGMENTS).status_code == 200
    nobody = _staff_client(django_user_model, "nobody", None)
    assert nobody.get(SEGMENTS).status_code == 403
    assert nobody.post(EXPORT, {"platform": "email_provider"}).status_code == 403
    assert Client().post(EXPORT, {"platform": "email_provider"}).status_code == 302
    assert not AuditEntry.objects.filter(object_type="marketing.Segment").exists()
