"""The demo data of bin/run: deterministic, idempotent, and filling every back-office list."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clinics.models import Offboarding, SubProcessorChange, UnlawfulInstruction
from consent.services import forget_banner_texts
from newsletter.models import Delivery, Issue
from retention.models import LegalHold
from rights.models import Objection, ProcessorNotice, Request, Restriction
from staff.testing import sign_in_verified
from wekst.demo import load
from wekst.demo.people import REQUESTERS
from wekst.demo.restrictions import OBJECTORS, RESTRICTED


@pytest.fixture(autouse=True)
def _fresh_banner_texts():
    # The banner texts are kept once per process; each test has a database of its own.
    forget_banner_texts()


def load_as_bin_run() -> None:
    # bin/run makes the staff roles first; the demo user is given one of them.
    call_command("sync_roles", verbosity=0)
    call_command("load_demo_data")


def counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.mark.django_db
def test_demo_data_loads_twice_without_duplicates(capsys):
    load_as_bin_run()
    first = counts()
    call_command("load_demo_data")
    second = counts()
    # The audit log and sign-in records grow with every run (the password is new); nothing else.
    grows = {"audit.AuditEntry", "django_tasks_database.DBTaskResult", "mail.OutgoingEmail"}
    assert {k: v for k, v in second.items() if k not in grows} == {
        k: v for k, v in first.items() if k not in grows
    }


@pytest.mark.django_db
def test_every_admin_list_but_the_explained_ones_has_rows(capsys):
    load_as_bin_run()
    empty = {m._meta.label for m in admin.site._registry if not m._default_manager.exists()}
    assert empty == set(load.LEFT_EMPTY)
    for label in load.LEFT_EMPTY:
        assert label in load.__doc__, f"the loader does not say why {label} is empty"


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
def test_demo_objections_restrictions_and_holds_are_as_the_services_leave_them(capsys):
    call_command("load_demo_data")
    objections = {o.subject.email: o for o in Objection.objects.select_related("subject")}
    in_force = objections[OBJECTORS["in_force"][1]]
    assert in_force.status == Objection.Status.IN_FORCE
    assert in_force.request.status == Request.Status.OPEN
    waiting = objections[OBJECTORS["grounds"][1]]
    # Recorded by someone other than the demo user, so the demo user may review them.
    assert waiting.status == Objection.Status.GROUNDS_RECORDED
    assert waiting.grounds_recorded_by not in ("", "demo")
    marketing = Restriction.objects.get(subject__email=OBJECTORS["marketing"][1])
    assert marketing.kind == Restriction.Kind.OBJECTION and marketing.lifted_at is None
    restricted = Restriction.objects.get(subject__email=RESTRICTED["in_force"][1])
    assert restricted.lifted_at is None
    # Passed on to the processors holding the data, as every restriction is (Art. 19).
    assert ProcessorNotice.objects.filter(
        request=restricted.request, kind=ProcessorNotice.Kind.RESTRICTION
    ).exists()
    lifted = Restriction.objects.get(subject__email=RESTRICTED["lifted"][1])
    assert lifted.lifted_at and lifted.lift_reason
    holds = LegalHold.objects.order_by("placed_at")
    assert [h.lifted_at is None for h in holds] == [False, True]
    assert {h.placed_by.username for h in holds} == {"demo"}


@pytest.mark.django_db
def test_demo_clinic_duties_and_newsletter_are_complete(capsys):
    call_command("load_demo_data")
    [offboarding] = Offboarding.objects.all()
    assert offboarding.deleted_counts["leads"] == 2 and offboarding.certificate_sha256
    assert not offboarding.clinic.engagements.filter(ends_on=None).exists()
    today = timezone.localdate()
    changes = SubProcessorChange.objects.all()
    assert {c.decision(today) for c in changes} == {"pending", "authorised"}
    assert {i.outcome for i in UnlawfulInstruction.objects.all()} == {"pending", "amended"}
    sent = Issue.objects.get(status=Issue.Status.SENT)
    assert Issue.objects.filter(status=Issue.Status.DRAFT).exists()
    # One delivery per confirmed subscriber, each with its queued email.
    assert Delivery.objects.filter(issue=sent, email__isnull=False).count() == 3


@pytest.mark.django_db
def test_every_admin_list_and_a_change_page_answer_for_the_demo_user(client, capsys):
    load_as_bin_run()
    sign_in_verified(client, get_user_model().objects.get(username="demo"))
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        listed = response.context["cl"].result_list
        if opts.label in load.LEFT_EMPTY:
            continue
        assert listed, f"{url} is empty"
        change = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(listed[0].pk)]
        )
        assert client.get(change).status_code == 200, change
