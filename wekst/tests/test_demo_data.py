"""The demo data of bin/run: deterministic, idempotent, and filling the back office's main lists."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from consent.services import forget_banner_texts
from rights.models import Request
from wekst.demo.people import REQUESTERS

# The main models whose lists must never start empty in the demo (issue 21).
MAIN_MODELS = (
    "leads.Lead", "leads.Meeting", "newsletter.Subscription", "rights.Request",
    "rights.ProcessorNotice", "breaches.Breach", "clinics.Clinic", "clinics.ClinicAgreement",
    "clinics.ClinicContact", "retention.SweepRun", "consent.ConsentDecision",
    "consent.BannerText", "content.Article", "content.Comment", "processors.Disclosure",
    "declaration.PolicyVersion", "subjects.Subject", "audit.AuditEntry", "mail.OutgoingEmail",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_banner_texts():
    # The banner texts are kept once per process; each test has a database of its own.
    forget_banner_texts()


def counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.mark.django_db
def test_demo_data_loads_twice_without_duplicates(capsys):
    call_command("load_demo_data")
    first = counts()
    call_command("load_demo_data")
    second = counts()
    # The audit log and sign-in records grow with every run (the password is new); nothing else.
    grows = {"audit.AuditEntry", "django_tasks_database.DBTaskResult", "mail.OutgoingEmail"}
    assert {k: v for k, v in second.items() if k not in grows} == {
        k: v for k, v in first.items() if k not in grows
    }
    for label in MAIN_MODELS:
        assert first[label] > 0, f"the demo has no {label}"


@pytest.mark.django_db
def test_demo_requests_are_in_every_state(capsys):
    call_command("load_demo_data")
    by_email = {r.email: r for r in Request.objects.all()}
    overdue = by_email[REQUESTERS["overdue"]]
    assert overdue.status == Request.Status.OPEN and overdue.due_at < overdue.received_at.now(
        tz=overdue.due_at.tzinfo
    )
    extended = by_email[REQUESTERS["extended"]]
    assert extended.extended_by_months == 1 and extended.extension_reason
    assert by_email[REQUESTERS["unverified"]].status == Request.Status.UNVERIFIED
    assert by_email[REQUESTERS["completed"]].status == Request.Status.COMPLETED
    refused = by_email[REQUESTERS["refused"]]
    assert refused.status == Request.Status.REFUSED and refused.refusal_ground


@pytest.mark.django_db
def test_every_admin_list_answers_for_a_superuser_with_the_demo(admin_client, capsys):
    call_command("load_demo_data")
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = admin_client.get(url)
        assert response.status_code == 200, url
        if opts.label in MAIN_MODELS and opts.label != "audit.AuditEntry":
            assert response.context["cl"].result_count > 0, f"{url} is empty"
