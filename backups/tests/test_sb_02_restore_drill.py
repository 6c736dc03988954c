"""SB-02, RG-13, RT-07: encrypted backups of the database, media and private files; a restore
that re-applies the erasure ledger by itself; a declared backup retention; and the evidence of
each backup and restore drill."""

import datetime
import io
import shutil
import subprocess
import tarfile

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from backups import archive
from backups.models import BackupRecord
from declaration.records import build_records
from declaration.selectors import get_declaration
from leads.models import Lead
from leads.tests.factories import make_lead
from retention.registry import REGISTRY
from rights.services import erase_subject
from subjects.selectors import find_subjects

KEY = "k" * 20 + "-a-test-key-of-enough-length"
ERASED = "erased.person@klinikk.example"
KEPT = "kept.person@klinikk.example"

# The whole database is replaced by a restore: no test transaction can be wrapped around it.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def stores(settings, tmp_path):
    settings.WEKST_BACKUP_KEY = KEY
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.WEKST_ERASURE_LEDGER_PATH = tmp_path / "ledger" / "erasure-ledger.jsonl"
    (tmp_path / "media" / "uploads").mkdir(parents=True)
    (tmp_path / "media" / "uploads" / "photo.txt").write_text("a public upload")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "dpa.txt").write_text("a signed data processing agreement")
    return tmp_path


def _backup(directory) -> BackupRecord:
    call_command("backup", output=str(directory), stdout=io.StringIO())
    return BackupRecord.objects.filter(kind="backup").first()


def _archive_names(path, tmp_path) -> list[str]:
    archive.decrypt(path, tmp_path / "plain.tar.gz", key=KEY)
    with tarfile.open(tmp_path / "plain.tar.gz") as tar:
        return tar.getnames()


def test_sb_02_the_restore_drill_brings_everything_back_but_the_erased_person(stores, tmp_path):
    erased_lead = make_lead(name="Erased Person", email=ERASED, phone="+47 912 34 567")
    kept_lead = make_lead(name="Kept Person", email=KEPT)
    backup = _backup(tmp_path / "backups")
    archive_path = tmp_path / "backups" / backup.file_name

    # After the backup: one person is erased through the real service (the ledger records it),
    # and the rest is lost (the reason for a restore).
    erase_subject(subject=erased_lead.subject, actor="admin", reason="an erasure request")
    Lead.objects.filter(pk=kept_lead.pk).delete()
    (stores / "media" / "uploads" / "photo.txt").unlink()
    (stores / "private" / "dpa.txt").write_text("damaged")
    (stores / "media" / "stray.txt").write_text("written after the backup")
    assert not Lead.objects.exists()

    call_command("restore", input=str(archive_path), stdout=(out := io.StringIO()))

    assert not find_subjects(email=ERASED).exists()  # re-erased by the ledger, by itself
    assert not Lead.objects.filter(email=ERASED).exists()
    assert Lead.objects.get().email == KEPT  # everything else is back
    assert find_subjects(email=KEPT).exists()
    assert (stores / "media" / "uploads" / "photo.txt").read_text() == "a public upload"
    assert (stores / "private" / "dpa.txt").read_text() == "a signed data processing agreement"
    assert not (stores / "media" / "stray.txt").exists()
    assert "1 subject(s) erased again" in out.getvalue()
    # The ledger outlives the restore: a second restore erases the person again.
    assert ERASED not in (stores / "ledger" / "erasure-ledger.jsonl").read_text()
    call_command("restore", input=str(archive_path), stdout=io.StringIO())
    assert not find_subjects(email=ERASED).exists()

    # The evidence: the backup (put back, though the restored database predates it) and each
    # drill with its checksum and the erasures it re-applied.
    restores = list(BackupRecord.objects.filter(kind="restore").order_by("started_at"))
    assert BackupRecord.objects.filter(public_id=backup.public_id).exists()
    assert len(restores) == 2
    for drill in restores:
        assert drill.outcome == "succeeded"
        assert drill.sha256 == backup.sha256 and drill.size_bytes == backup.size_bytes
        assert drill.erasures_reapplied == 1
        assert drill.file_name == backup.file_name


def test_sb_02_a_backup_is_encrypted_and_records_its_size_and_checksum(stores, tmp_path):
    make_lead(name="Kept Person", email=KEPT)
    backup = _backup(tmp_path / "backups")
    path = tmp_path / "backups" / backup.file_name

    raw = path.read_bytes()
    assert KEPT.encode() not in raw and b"data processing agreement" not in raw
    assert backup.outcome == "succeeded" and backup.size_bytes == len(raw)
    assert len(backup.sha256) == 64
    with pytest.raises(archive.BackupError, match="Decrypting"):
        archive.decrypt(path, tmp_path / "out", key="x" * 40)
    names = _archive_names(path, tmp_path)
    assert "./database" in names and "./media/uploads/photo.txt" in names
    assert "./private/dpa.txt" in names


def test_rg_13_the_erasure_ledger_is_never_in_a_backup(stores, tmp_path, settings):
    settings.WEKST_ERASURE_LEDGER_PATH = stores / "private" / "erasure-ledger.jsonl"
    lead = make_lead(name="Erased Person", email=ERASED)
    erase_subject(subject=lead.subject, actor="admin", reason="an erasure request")
    assert settings.WEKST_ERASURE_LEDGER_PATH.exists()
    backup = _backup(tmp_path / "backups")

    names = _archive_names(tmp_path / "backups" / backup.file_name, tmp_path)
    assert not [name for name in names if "erasure-ledger" in name]

    # Nor does a restore touch it, though it sits in a restored root.
    before = settings.WEKST_ERASURE_LEDGER_PATH.read_text()
    call_command(
        "restore", input=str(tmp_path / "backups" / backup.file_name), stdout=io.StringIO()
    )
    assert settings.WEKST_ERASURE_LEDGER_PATH.read_text() == before


def test_sb_02_no_backup_without_the_key_and_the_failure_is_recorded(stores, tmp_path, settings):
    settings.WEKST_BACKUP_KEY = ""
    with pytest.raises(CommandError, match="WEKST_BACKUP_KEY"):
        call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    assert not (tmp_path / "backups").exists() or not list((tmp_path / "backups").iterdir())
    failed = BackupRecord.objects.get()
    assert failed.outcome == "failed" and "WEKST_BACKUP_KEY" in failed.error


def test_rg_13_a_wrong_key_or_damaged_archive_changes_nothing(stores, tmp_path, settings):
    make_lead(name="Kept Person", email=KEPT)
    backup = _backup(tmp_path / "backups")
    path = tmp_path / "backups" / backup.file_name
    make_lead(name="Later Person", email="later@klinikk.example")

    settings.WEKST_BACKUP_KEY = "another key, long enough to be accepted....."
    with pytest.raises(CommandError, match="Decrypting the backup"):
        call_command("restore", input=str(path), stdout=io.StringIO())
    settings.WEKST_BACKUP_KEY = KEY
    damaged = tmp_path / "damaged.tar.gpg"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(CommandError):
        call_command("restore", input=str(damaged), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not a file"):
        call_command("restore", input=str(tmp_path / "missing"), stdout=io.StringIO())

    assert Lead.objects.count() == 2  # nothing was replaced
    failed = BackupRecord.objects.filter(kind="restore", outcome="failed")
    assert failed.count() == 3 and all(drill.error for drill in failed)
    assert (stores / "media" / "uploads" / "photo.txt").exists()


def test_rt_07_backups_older_than_the_declared_rule_are_deleted(stores, tmp_path):
    rule = get_declaration().retention_rules["backups"]
    assert (rule.period, rule.unit) == (35, "days")
    start = timezone.now()
    directory = tmp_path / "backups"
    with time_machine.travel(start, tick=False):
        first = _backup(directory)
    with time_machine.travel(start + datetime.timedelta(days=34), tick=False):
        second = _backup(directory)
    assert second.backups_deleted == 0
    assert (directory / first.file_name).exists()
    unrelated = directory / "notes.txt"
    unrelated.write_text("not a backup")
    with time_machine.travel(start + datetime.timedelta(days=35, seconds=1), tick=False):
        third = _backup(directory)
    assert third.backups_deleted == 1
    assert not (directory / first.file_name).exists()
    assert (directory / second.file_name).exists() and (directory / third.file_name).exists()
    assert unrelated.exists()


def test_rt_07_the_backup_retention_is_printed_in_the_policy_and_the_art_30_record(client):
    policy = client.get("/privacy/").content.decode()
    assert "Our encrypted backups of the website" in policy
    assert "deleted 35 days after they are made" in policy
    [record, *_] = build_records(get_declaration(), "en")
    assert "Encrypted backups, deleted after 35 days" in record.cells[-1]


def test_sb_02_staff_see_the_evidence_read_only(admin_client, stores, tmp_path):
    backup = _backup(tmp_path / "backups")
    listing = admin_client.get("/admin/backups/backuprecord/")
    assert listing.status_code == 200 and backup.file_name in listing.content.decode()
    assert admin_client.get("/admin/backups/backuprecord/add/").status_code == 403
    page = admin_client.post(f"/admin/backups/backuprecord/{backup.pk}/delete/", {"post": "yes"})
    assert page.status_code == 403
    assert BackupRecord.objects.filter(pk=backup.pk).exists()


def test_sb_02_the_evidence_holds_no_personal_data_and_has_a_retention_rule():
    fields = get_declaration().personal_data_fields["backups.BackupRecord"]
    assert set(fields.values()) == {"none"}
    assert any(getattr(e, "model", "") == "backups.BackupRecord" for e in REGISTRY)


def test_sb_02_gpg_leaves_no_agent_running(stores, tmp_path):
    _backup(tmp_path / "backups")
    ps = shutil.which("ps")
    processes = subprocess.run([ps, "-eo", "stat,args"], capture_output=True, text=True)  # noqa: S603
    running = [
        line
        for line in processes.stdout.splitlines()
        if "wekst-gpg-" in line and not line.lstrip().startswith("Z")
    ]
    assert not running
