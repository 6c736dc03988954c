"""Roles limit who sees personal data: sales sees leads, meetings and subscribers only (SEC-01)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import URLPattern, reverse

from audit.services import record_event
from breaches.tests.factories import make_breach
from consent.tests.factories import make_decision
from leads.tests.factories import make_lead
from newsletter.tests.factories import confirmed_subscription
from staff.roles import ROLES
from staff.services import sync_roles

pytestmark = pytest.mark.django_db

# Apps whose records sales must never see: requests, breaches, the audit log, the consent log,
# retention, the subject index, the stored emails. Models these apps add later are covered too.
NOT_FOR_SALES = {"rights", "breaches", "audit", "consent", "retention", "subjects", "mail"}


def admin_urls_of(app_labels: set[str], pk: int) -> list[str]:
    """Every back-office address of every registered model in these apps: list, add, change,
    history, delete and each custom page (exports, drafts), with `pk` filled in."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in app_labels:
            continue
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            converters = pattern.pattern.converters
            args = [pk] if len(converters) == 1 else []
            if len(converters) > 1:
                continue
            urls.append(reverse(f"admin:{pattern.name}", args=args))
    return urls


@pytest.fixture
def records():
    """One record in each app sales must not see, so change pages have something to hide."""
    lead = make_lead()
    entry = record_event(actor="system", action="view", object_type="leads.Lead", object_id=1)
    return {
        "lead": lead,
        "subscription": confirmed_subscription(),
        "audit": entry,
        "decision": make_decision(),
        "breach": make_breach(),
    }


def test_sec_01_sync_roles_creates_each_role_once_and_is_idempotent():
    first = sync_roles()
    call_command("sync_roles", verbosity=0)
    assert sync_roles() == first
    assert set(Group.objects.values_list("name", flat=True)) >= {role.group for role in ROLES}
    assert Group.objects.filter(name="Sales").count() == 1


def test_sec_01_sync_roles_takes_away_permissions_granted_by_hand():
    sync_roles()
    sales = Group.objects.get(name="Sales")
    sales.permissions.add(Permission.objects.get(codename="view_auditentry"))
    sync_roles()
    assert not sales.permissions.filter(codename="view_auditentry").exists()


def test_sec_01_roles_cover_models_by_app_label():
    sync_roles()
    officer = set(
        Group.objects.get(name="Privacy officer").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    everything = Permission.objects.count()
    assert Group.objects.get(name="Administrator").permissions.count() == everything
    assert ("breaches", "change_breach") in officer
    assert ("audit", "view_auditentry") in officer
    assert ("consent", "view_consentdecision") in officer
    assert ("audit", "change_auditentry") not in officer
    sales = set(Group.objects.get(name="Sales").permissions.values_list("codename", flat=True))
    assert {"view_lead", "change_lead", "view_meeting", "view_subscription"} <= sales
    assert not {c for c in sales if c.endswith(("_breach", "_auditentry", "_consentdecision"))}


def test_sec_01_sales_sees_leads_meetings_and_subscribers(sales_client, records):
    assert sales_client.get("/admin/leads/lead/").status_code == 200
    assert sales_client.get(f"/admin/leads/lead/{records['lead'].pk}/change/").status_code == 200
    assert sales_client.get("/admin/leads/meeting/").status_code == 200
    assert sales_client.get("/admin/newsletter/subscription/").status_code == 200
    page = sales_client.get("/admin/").text
    assert "/admin/leads/lead/" in page
    assert "/admin/audit/" not in page and "/admin/breaches/" not in page


def test_sec_01_sales_cannot_open_requests_breaches_or_the_logs(sales_client, records):
    pks = {records["audit"].pk, records["decision"].pk, records["breach"].pk}
    urls = [url for pk in pks for url in admin_urls_of(NOT_FOR_SALES, pk)]
    assert "/admin/audit/auditentry/" in urls and "/admin/consent/consentdecision/" in urls
    assert f"/admin/breaches/breach/{records['breach'].pk}/notification/" in urls
    opened = {}
    for url in urls:
        response = sales_client.get(url, follow=True)
        # Refused, or (for a record that does not exist) sent back to the index with no data.
        refused = response.status_code in (403, 404) or response.request["PATH_INFO"] == "/admin/"
        if not refused:
            opened[url] = response.status_code
    assert opened == {}


def test_sec_01_sales_cannot_export_the_consent_log(sales_client, records):
    response = sales_client.post(
        "/admin/consent/consentdecision/",
        {"action": "export_csv", "_selected_action": [records["decision"].pk]},
    )
    assert response.status_code == 403


def test_sec_01_sales_cannot_change_breaches_or_send_notices(sales_client, records):
    breach = records["breach"]
    response = sales_client.post(
        "/admin/breaches/breach/", {"action": "send_notices", "_selected_action": [breach.pk]}
    )
    assert response.status_code == 403
    response = sales_client.post(f"/admin/breaches/breach/{breach.pk}/change/", {"title": "x"})
    assert response.status_code == 403


def test_sec_01_privacy_officer_sees_breaches_and_the_logs_but_edits_no_lead(
    privacy_officer_client, records
):
    client = privacy_officer_client
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get("/admin/consent/consentdecision/").status_code == 200
    assert client.get("/admin/breaches/breach/").status_code == 200
    assert client.get(f"/admin/breaches/breach/{records['breach'].pk}/change/").status_code == 200
    assert client.get(f"/admin/leads/lead/{records['lead'].pk}/change/").status_code == 200
    response = client.post(
        f"/admin/leads/lead/{records['lead'].pk}/change/", {"name": "Someone else"}
    )
    assert response.status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403


def test_sec_01_staff_without_a_role_see_no_personal_data(staff_client, records):
    assert staff_client.get("/admin/leads/lead/").status_code == 403
    assert staff_client.get("/admin/audit/auditentry/").status_code == 403
