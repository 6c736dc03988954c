"""Every staff view, export, change and erasure in the back office is in the audit log (SEC-01)."""

import pytest
from django.contrib import admin

from audit.admin import AuditedModelAdmin
from audit.models import AuditEntry
from audit.selectors import entries_about, first_broken_link
from breaches.tests.factories import make_breach
from consent.tests.factories import make_decision
from declaration.selectors import get_declaration
from leads.tests.factories import make_lead
from newsletter.tests.factories import confirmed_subscription
from subjects.models import Subject

pytestmark = pytest.mark.django_db

# Admins that show no personal data of anyone but staff credentials, or are the log itself.
NOT_AUDITED = {
    "audit.AuditEntry": "the audit log itself (references only)",
    "otp_totp.TOTPDevice": "staff credentials; secrets hidden (OTP_ADMIN_HIDE_SENSITIVE_DATA)",
    "django_tasks_database.DBTaskResult": "background task rows; arguments are record ids",
}


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("sequence"))


def test_sec_01_every_admin_showing_personal_data_is_audited():
    """A new ModelAdmin for a model with a field holding personal data fails here until it
    extends audit.admin.AuditedModelAdmin (or is listed above with the reason)."""
    classified = get_declaration().personal_data_fields
    unaudited = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        fields = classified.get(label, {})
        holds_personal_data = any(category != "none" for category in fields.values()) or any(
            getattr(field, "related_model", None) is Subject for field in model._meta.get_fields()
        )
        audited = isinstance(model_admin, AuditedModelAdmin)
        if holds_personal_data and label not in NOT_AUDITED and not audited:
            unaudited.append(label)
    assert unaudited == []


def test_sec_01_viewing_a_lead_is_recorded_with_the_subject(admin_client):
    lead = make_lead()

    response = admin_client.get(f"/admin/leads/lead/{lead.pk}/change/")

    assert response.status_code == 200
    [entry] = entries(action="view", object_type="leads.Lead")
    assert entry.actor == "admin"
    assert entry.object_id == str(lead.pk)
    assert entry.subject_ref == str(lead.subject.public_id)
    assert entry.reason == "change page"
    assert entries_about(str(lead.subject.public_id)).filter(actor="admin").exists()


def test_sec_01_a_list_view_is_recorded_without_the_search_term(admin_client):
    make_lead(email="kari@klinikk.example")
    make_lead(email="ola@klinikk.example")

    admin_client.get("/admin/leads/lead/", {"q": "kari@klinikk.example"})

    [entry] = entries(action="view", object_type="leads.Lead")
    assert entry.reason == "list: 1 shown"
    assert "kari" not in f"{entry.reason}{entry.object_id}{entry.subject_ref}"


def test_sec_01_history_and_deletion_pages_are_views(admin_client):
    subject = make_lead().subject
    admin_client.get(f"/admin/subjects/subject/{subject.pk}/history/")
    admin_client.get(f"/admin/subjects/subject/{subject.pk}/delete/")
    reasons = [e.reason for e in entries(action="view", object_type="subjects.Subject")]
    assert reasons == ["history", "deletion page"]


def test_sec_01_a_refused_page_writes_no_view_entry(sales_client):
    decision = make_decision()
    assert (
        sales_client.get(f"/admin/consent/consentdecision/{decision.pk}/change/").status_code == 403
    )
    assert entries(action="view", object_type="consent.ConsentDecision") == []


def test_sec_01_exporting_the_consent_log_is_recorded(admin_client):
    decisions = [make_decision(), make_decision()]

    response = admin_client.post(
        "/admin/consent/consentdecision/",
        {"action": "export_csv", "_selected_action": [d.pk for d in decisions]},
    )

    assert response.status_code == 200
    b"".join(response.streaming_content)
    [entry] = entries(action="export")
    assert entry.object_type == "consent.ConsentDecision"
    assert entry.reason == "export: export_csv, 2 records"


def test_sec_01_an_action_on_subscribers_is_a_change_of_each(admin_client):
    subscription = confirmed_subscription()

    admin_client.post(
        "/admin/newsletter/subscription/",
        {"action": "unsubscribe_selected", "_selected_action": [subscription.pk]},
    )

    [entry] = entries(action="change", object_type="newsletter.Subscription")
    assert entry.object_id == str(subscription.pk)
    assert entry.subject_ref == str(subscription.subject.public_id)
    assert entry.reason == "action: unsubscribe_selected"


def test_sec_01_saving_is_a_change_and_adding_a_create(admin_client):
    breach = make_breach()
    data = {
        "title": "Laptop stolen",
        "source": "internal",
        "became_aware_at_0": "2026-11-26",
        "became_aware_at_1": "09:00:00",
        "what_happened": "A staff laptop was stolen from a car.",
        "cause": "lost_device",
        "confidentiality": "on",
        "data_categories": "Lead names and emails",
        "subject_categories": "Leads",
    }
    response = admin_client.post("/admin/breaches/breach/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    response = admin_client.post(f"/admin/breaches/breach/{breach.pk}/change/", data)
    assert response.status_code == 302
    actions = [(e.action, e.object_type) for e in entries(action__in=["create", "change"])]
    assert actions == [("create", "breaches.Breach"), ("change", "breaches.Breach")]


def test_sec_01_deleting_a_subject_is_an_erasure_naming_them(admin_client):
    subject = make_lead().subject
    public_id = str(subject.public_id)

    response = admin_client.post(f"/admin/subjects/subject/{subject.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Subject.objects.filter(pk=subject.pk).exists()
    [entry] = entries(action="erase")
    assert (entry.object_type, entry.subject_ref) == ("subjects.Subject", public_id)


def test_sec_01_deleting_several_is_an_erasure_of_each(admin_client):
    subjects = [make_lead(email=f"p{n}@klinikk.example").subject for n in range(2)]
    admin_client.post(
        "/admin/subjects/subject/",
        {"action": "delete_selected", "_selected_action": [s.pk for s in subjects], "post": "yes"},
    )
    refs = sorted(e.subject_ref for e in entries(action="erase"))
    assert refs == sorted(str(s.public_id) for s in subjects)
    assert entries(action="change") == []  # the deletion is not counted twice


def test_sec_01_the_chain_holds_after_back_office_work(admin_client):
    lead = make_lead()
    admin_client.get("/admin/leads/lead/")
    admin_client.get(f"/admin/leads/lead/{lead.pk}/change/")
    admin_client.get("/admin/audit/auditentry/")
    assert AuditEntry.objects.count() >= 2
    assert first_broken_link() is None


def test_sec_01_the_audit_log_is_for_administrators_and_the_privacy_officer(
    admin_client, privacy_officer_client, sales_client, staff_client
):
    assert admin_client.get("/admin/audit/auditentry/").status_code == 200
    assert privacy_officer_client.get("/admin/audit/auditentry/").status_code == 200
    assert sales_client.get("/admin/audit/auditentry/").status_code == 403
    assert staff_client.get("/admin/audit/auditentry/").status_code == 403
