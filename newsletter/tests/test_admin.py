"""The newsletter in the back office: listed, searchable, filterable; sending from an action."""

import pytest
from django.core import checks

from newsletter import services
from newsletter.models import Issue, Subscription, Suppression
from newsletter.tests import factories


@pytest.mark.django_db
def test_lea_02_staff_see_subscriptions_with_their_consent_proof(admin_client):
    subscription = factories.confirmed_subscription("kari@example.no", source="contact_form")
    factories.unconfirmed_subscription("ola@example.no")

    listing = admin_client.get("/admin/newsletter/subscription/", {"q": "kari@"})
    detail = admin_client.get(f"/admin/newsletter/subscription/{subscription.pk}/change/")

    assert listing.status_code == 200
    assert "kari@example.no" in listing.content.decode()
    assert "ola@example.no" not in listing.content.decode()
    page = detail.content.decode()
    for proof in [
        subscription.consent_wording,
        subscription.policy_version,
        "contact_form",
        "Confirmed",
    ]:
        assert proof in page
    assert subscription.unsubscribe_token not in page  # a capability, not for display


@pytest.mark.django_db
def test_lea_02_subscriptions_filter_by_status_and_source(admin_client):
    factories.confirmed_subscription("kari@example.no")
    factories.unconfirmed_subscription("ola@example.no", source="contact_form")

    confirmed = admin_client.get("/admin/newsletter/subscription/", {"status": "confirmed"})
    from_contact_form = admin_client.get(
        "/admin/newsletter/subscription/", {"source": "contact_form"}
    )

    assert "kari@example.no" in confirmed.content.decode()
    assert "ola@example.no" not in confirmed.content.decode()
    assert "ola@example.no" in from_contact_form.content.decode()
    assert "kari@example.no" not in from_contact_form.content.decode()


@pytest.mark.django_db
def test_lea_06_role_addresses_are_flagged(admin_client):
    factories.confirmed_subscription("post@klinikk.no")
    factories.confirmed_subscription("kari@klinikk.no")

    page = admin_client.get("/admin/newsletter/subscription/").content.decode()

    rows = {line for line in page.split("<tr") if "@klinikk.no" in line}
    [role] = [row for row in rows if "post@klinikk.no" in row]
    [person] = [row for row in rows if "kari@klinikk.no" in row]
    assert 'alt="True"' in role
    assert 'alt="False"' in person


@pytest.mark.django_db
def test_rig_05_suppression_list_shows_a_count_and_never_an_address(admin_client):
    for address in ["kari@example.no", "ola@example.no"]:
        services.record_objection_to_marketing(email=address)
    digest = Suppression.objects.first().address_digest

    page = admin_client.get("/admin/newsletter/suppression/").content.decode()

    assert "2 suppression entries" in page
    assert "example.no" not in page
    assert digest not in page


@pytest.mark.django_db
def test_lea_02_staff_send_an_issue_from_the_back_office(admin_client, smtp_server, run_tasks):
    factories.confirmed_subscription("kari@example.no")
    issue = factories.issue()

    response = admin_client.post(
        "/admin/newsletter/issue/",
        {"action": "send_to_confirmed_subscribers", "_selected_action": [issue.pk]},
        follow=True,
    )
    assert smtp_server.messages == []  # in the background, not in the request
    run_tasks()

    assert "being sent in the background" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert [m["To"] for m in smtp_server.messages] == ["kari@example.no"]
    deliveries = admin_client.get("/admin/newsletter/delivery/", {"q": "kari@"}).content.decode()
    assert "kari@example.no" in deliveries and "Sent" in deliveries


@pytest.mark.django_db
def test_lea_02_a_sending_issue_can_no_longer_be_edited(admin_client):
    issue = factories.issue()
    services.start_sending_issue(issue_id=issue.pk)

    admin_client.post(
        f"/admin/newsletter/issue/{issue.pk}/change/",
        {"subject_line": "Changed", "body_text": "Changed"},
    )

    issue.refresh_from_db()
    assert issue.subject_line == "Growth notes, spring"


@pytest.mark.django_db
def test_sec_03_issue_subject_line_with_a_line_break_is_refused(admin_client):
    response = admin_client.post(
        "/admin/newsletter/issue/add/",
        {"subject_line": "Hello\r\nBcc: everyone@example.com", "body_text": "Hi"},
    )

    assert response.status_code == 200  # the form again, with the error
    assert "Please write this on one line" in response.content.decode()
    assert Issue.objects.count() == 0


@pytest.mark.django_db
def test_lea_02_staff_can_end_a_subscription_on_request(admin_client):
    subscription = factories.confirmed_subscription()

    admin_client.post(
        "/admin/newsletter/subscription/",
        {"action": "unsubscribe_selected", "_selected_action": [subscription.pk]},
    )

    assert Subscription.objects.count() == 0
    assert Suppression.objects.get().reason == Suppression.Reason.OBJECTED


def test_lea_02_production_needs_an_https_site_url(settings):
    from newsletter.checks import check_site_url_is_https

    settings.WEKST_SITE_URL = "http://127.0.0.1:8000"
    [error] = check_site_url_is_https()
    assert error.id == "newsletter.E001" and error.level == checks.ERROR

    settings.WEKST_SITE_URL = "https://wekst.com"
    assert check_site_url_is_https() == []
