"""The sweep itself: a dry run that changes nothing, bounded batches, evidence without personal
data, audit entries with counts, safe interruption and rerun (RET-02; checklist RT-01, RT-08)."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from audit.models import AuditEntry
from audit.selectors import first_broken_link
from leads.models import Lead
from leads.tests.factories import make_lead
from retention import services
from retention.models import SweepCount, SweepRun
from retention.services import place_legal_hold
from retention.tests.helpers import START, at, count_for, sweep_at
from subjects.models import Subject

pytestmark = pytest.mark.django_db

TWO_YEARS_ON = START.replace(year=2026)
PERSON = {
    "name": "Ingrid Tannlege",
    "email": "ingrid.tannlege@klinikk.example",
    "phone": "+47 915 55 321",
    "message": "Our clinic in Bodø wants more implant patients",
}


def make_people(count: int) -> list[Lead]:
    with at(START):
        return [
            make_lead(**(PERSON | {"email": f"person{i}.{PERSON['email']}"})) for i in range(count)
        ]


def test_ret_02_a_dry_run_shows_what_would_be_erased_and_why_and_changes_nothing():
    make_people(3)
    out = io.StringIO()

    with at(TWO_YEARS_ON):
        call_command("retention_sweep", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "Dry run: nothing is changed." in text
    assert "lead_after_last_contact" in text
    assert "leads.Lead: 3 would be erased (last_contact_at before 2024-01-05" in text
    assert "24 months after the last two-way contact" in text  # why: the rule as declared
    assert "kept elsewhere: newsletter.services.unsubscribe" in text
    assert Lead.objects.count() == 3
    assert not SweepRun.objects.exists()
    assert not AuditEntry.objects.filter(actor=services.ACTOR).exists()


def test_ret_02_the_dry_run_names_what_a_legal_hold_keeps():
    [held, _other] = make_people(2)
    hold = place_legal_hold(subject=held.subject, reason="Dispute", user=None)
    out = io.StringIO()

    with at(TWO_YEARS_ON):
        call_command("retention_sweep", "--dry-run", stdout=out)

    assert "leads.Lead: 1 would be erased" in out.getvalue()
    assert "kept because a legal hold is in force: 1" in out.getvalue()
    assert str(hold.public_id) in out.getvalue()


def test_ret_02_a_real_run_erases_and_reports_per_rule():
    make_people(3)
    out = io.StringIO()

    with at(TWO_YEARS_ON):
        call_command("retention_sweep", stdout=out)

    assert not Lead.objects.exists()
    assert "lead_after_last_contact" in out.getvalue()
    run = SweepRun.objects.get()
    assert (run.status, run.trigger) == ("finished", "command")
    assert count_for(run, "lead_after_last_contact").erased == 3


def test_ret_02_the_sweep_works_in_bounded_batches_each_with_an_audit_entry_of_counts():
    make_people(5)

    run = sweep_at(TWO_YEARS_ON, batch_size=2)

    count = count_for(run, "lead_after_last_contact")
    assert (count.erased, count.batches) == (5, 3)
    entries = AuditEntry.objects.filter(actor="system:retention", object_type="leads.Lead")
    assert [e.reason.split(":")[1].split(" in ")[0] for e in entries] == [
        " 2 erased",
        " 2 erased",
        " 1 erased",
    ]
    assert {e.action for e in entries} == {"erase"}
    assert {e.subject_ref for e in entries} == {""}
    assert {e.object_id for e in entries} == {f"sweep-{run.pk}"}
    assert count.longest_batch_seconds > 0
    assert first_broken_link() is None


def test_ret_02_deletion_evidence_holds_no_personal_data():
    people = make_people(2)
    hold = place_legal_hold(subject=people[0].subject, reason="Invoice dispute", user=None)
    public_ids = {str(lead.subject.public_id) for lead in people}

    run = sweep_at(TWO_YEARS_ON, batch_size=1)

    evidence = json.dumps(
        [
            list(SweepRun.objects.filter(pk=run.pk).values()),
            list(SweepCount.objects.filter(run=run).values()),
            list(AuditEntry.objects.filter(actor="system:retention").values()),
        ],
        default=str,
    ).lower()
    for value in [*PERSON.values(), "person1", "55 321", "bodø", "invoice dispute"]:
        assert value.lower() not in evidence
    for public_id in public_ids:
        assert public_id not in evidence
    # The hold that applied is named by its reference only.
    assert str(hold.public_id) in evidence


def test_ret_02_an_interrupted_sweep_keeps_what_it_did_and_the_rerun_finishes_the_rest(
    monkeypatch,
):
    make_people(5)
    real = services._erase_batch
    calls = []

    def stopped_after_one_batch(**kwargs):
        calls.append(kwargs["sweep"].rule)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(services, "_erase_batch", stopped_after_one_batch)
    with pytest.raises(KeyboardInterrupt):
        sweep_at(TWO_YEARS_ON, batch_size=2)

    first = SweepRun.objects.get()
    assert first.status == "interrupted"
    assert Lead.objects.count() == 3
    assert count_for(first, "lead_after_last_contact").erased == 2

    monkeypatch.setattr(services, "_erase_batch", real)
    second = sweep_at(TWO_YEARS_ON + datetime.timedelta(hours=1), batch_size=2)

    assert second.status == "finished"
    assert not Lead.objects.exists()
    assert count_for(second, "lead_after_last_contact").erased == 3
    # Run again: nothing is left to do, and nothing fails (idempotent).
    third = sweep_at(TWO_YEARS_ON + datetime.timedelta(hours=2))
    assert sum(third.counts.values_list("erased", flat=True)) == 0
    assert not Subject.objects.exists()


def test_ret_02_a_failed_sweep_is_marked_failed_and_a_silent_run_becomes_interrupted(monkeypatch):
    make_people(1)
    with at(START):
        stale = SweepRun.objects.create(trigger="schedule", batch_size=10)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_erase_batch", broken)
    with pytest.raises(RuntimeError):
        sweep_at(TWO_YEARS_ON)

    stale.refresh_from_db()
    assert stale.status == "interrupted"
    assert SweepRun.objects.exclude(pk=stale.pk).get().status == "failed"
    assert Lead.objects.count() == 1


def test_ret_02_staff_can_preview_the_next_sweep_in_the_back_office(admin_client):
    [lead] = make_people(1)

    with at(TWO_YEARS_ON):
        response = admin_client.get("/admin/retention/sweeprun/preview/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="rule-lead_after_last_contact-leads.Lead"' in html
    assert f"/admin/leads/lead/{lead.pk}/change/" in html
    assert Lead.objects.filter(pk=lead.pk).exists()
    listing = admin_client.get("/admin/retention/sweeprun/")
    assert "/admin/retention/sweeprun/preview/" in listing.content.decode()
