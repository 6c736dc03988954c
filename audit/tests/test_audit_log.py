import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from audit.selectors import entries_about, first_broken_link
from audit.services import GENESIS, record_event


def record(n: int = 3) -> list[AuditEntry]:
    return [
        record_event(
            actor="staff",
            action="view",
            object_type="leads.Lead",
            object_id=i,
            subject_ref=f"00000000-0000-0000-0000-00000000000{i}",
            reason="answering an enquiry",
        )
        for i in range(1, n + 1)
    ]


@pytest.mark.django_db
def test_sec_01_entries_are_chained_by_hash():
    first, second, third = record()
    assert first.previous_hash == GENESIS
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert [e.sequence for e in (first, second, third)] == [1, 2, 3]
    assert first_broken_link() is None


@pytest.mark.django_db
def test_sec_01_an_edited_entry_is_reported_as_the_first_broken_link():
    _, second, _ = record()
    AuditEntry.objects.filter(pk=second.pk).update(actor="someone-else")

    assert first_broken_link().pk == second.pk
    with pytest.raises(CommandError, match="#2"):
        call_command("verify_audit_log")


@pytest.mark.django_db
def test_sec_01_a_deleted_entry_breaks_the_chain_at_the_next_one():
    _, second, third = record()
    AuditEntry.objects.filter(pk=second.pk).delete()

    assert first_broken_link().pk == third.pk


@pytest.mark.django_db
def test_sec_01_a_deleted_last_entry_is_a_gap_only_a_count_elsewhere_can_show():
    # Truncation at the end leaves a valid chain: the chain proves order and integrity of what is
    # there, not that nothing came after. (The daily sweep's evidence counts guard the rest.)
    *_, third = record()
    AuditEntry.objects.filter(pk=third.pk).delete()
    assert first_broken_link() is None


@pytest.mark.django_db
def test_sec_01_verify_command_reports_an_intact_log(capsys):
    record()
    call_command("verify_audit_log")
    assert "intact: 3 entries" in capsys.readouterr().out


@pytest.mark.django_db
def test_sec_01_verification_works_across_batches():
    record(7)
    assert first_broken_link(batch_size=2) is None
    AuditEntry.objects.filter(sequence=6).update(reason="changed")
    assert first_broken_link(batch_size=2).sequence == 6


@pytest.mark.django_db
def test_entries_about_a_subject_hold_references_not_data():
    record()
    [entry] = entries_about("00000000-0000-0000-0000-000000000002")
    assert entry.object_type == "leads.Lead"
    assert entry.object_id == "2"


@pytest.mark.django_db
def test_audit_log_cannot_be_changed_in_the_back_office(admin_client):
    [entry] = record(1)
    assert admin_client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    response = admin_client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"actor": "x"})
    assert response.status_code in {403, 200}
    entry.refresh_from_db()
    assert entry.actor == "staff"
