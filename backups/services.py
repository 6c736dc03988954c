"""Backups and restores of the whole site, with their evidence (SB-02, RG-13, RT-07).

A backup is one encrypted archive of the database, the media root and the private files root.
The erasure ledger is never in it: it must outlive every restore (ADR 0005). A restore puts all
three back and re-applies the ledger before it returns, so no erased person comes back.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from backups import archive
from backups.archive import BackupError
from backups.models import BackupRecord
from declaration.selectors import get_declaration
from rights.services.erasure import reapply_erasure_ledger

RETENTION_RULE = "backups"
_NAME = re.compile(r"^wekst-backup-(\d{8}T\d{6}Z)\.tar\.gpg$")
_STAMP = "%Y%m%dT%H%M%SZ"
MIN_KEY_LENGTH = 32


@dataclass(frozen=True)
class RestoreReport:
    erasures_reapplied: int
    suppressions_restored: int


def _key() -> str:
    key = settings.WEKST_BACKUP_KEY
    if len(key) < MIN_KEY_LENGTH:
        raise BackupError(
            f"WEKST_BACKUP_KEY must be set to at least {MIN_KEY_LENGTH} random characters "
            "(kept apart from the backups): nothing was backed up or restored."
        )
    return key


def _roots() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.WEKST_PRIVATE_FILES_ROOT)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record(**fields) -> BackupRecord:
    return BackupRecord.objects.create(
        database_vendor=connection.vendor, finished_at=timezone.now(), **fields
    )


def create_backup(*, output_dir: Path) -> BackupRecord:
    """Write one encrypted archive into `output_dir`, delete the archives there older than the
    declared `backups` rule, and record it. A failure is recorded too, then raised."""
    started = timezone.now()
    name = f"wekst-backup-{started.astimezone(datetime.UTC):{_STAMP}}.tar.gpg"
    try:
        key = _key()
        output_dir.mkdir(parents=True, exist_ok=True)
        target = output_dir / name
        with tempfile.TemporaryDirectory(prefix="wekst-backup-") as work:
            work = Path(work)
            staging = work / "archive"
            staging.mkdir()
            archive.dump_database(staging / "database")
            ledger = Path(settings.WEKST_ERASURE_LEDGER_PATH)
            for label, root in _roots().items():
                archive.copy_root(root, staging / label, keep=ledger)
            manifest = {"format": 1, "created_at": started.isoformat(), "vendor": connection.vendor}
            (staging / "manifest.json").write_text(json.dumps(manifest))
            with tarfile.open(work / "backup.tar.gz", "w:gz") as tar:
                tar.add(staging, arcname=".")
            partial = output_dir / f".{name}.partial"
            archive.encrypt(work / "backup.tar.gz", partial, key=key)
            partial.replace(target)
        deleted = delete_expired_backups(directory=output_dir, now=timezone.now())
    except (BackupError, OSError) as problem:
        _record(kind="backup", started_at=started, outcome="failed", file_name=name,
                error=str(problem)[:2000])  # fmt: skip
        raise BackupError(str(problem)) from problem
    return _record(
        kind="backup",
        started_at=started,
        outcome="succeeded",
        file_name=name,
        size_bytes=target.stat().st_size,
        sha256=_sha256(target),
        backups_deleted=deleted,
    )


def delete_expired_backups(*, directory: Path, now: datetime.datetime) -> int:
    """Delete the archives in `directory` whose `backups` retention period has ended (RT-07).
    The time is the one in the archive's name, which a copy keeps (its mtime it may not)."""
    rule = get_declaration().retention_rules[RETENTION_RULE]
    deleted = 0
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if not match:
            continue
        made = datetime.datetime.strptime(match[1], _STAMP).replace(tzinfo=datetime.UTC)
        expires = rule.expires_after(made)
        if expires is not None and expires <= now:
            path.unlink()
            deleted += 1
    return deleted


def restore_backup(*, archive_path: Path) -> RestoreReport:
    """Put back the database, media and private files from `archive_path`, migrate the restored
    database, then re-apply the erasure ledger before returning (RG-13), and record the drill. Stop the web processes first.

    The evidence of backups and drills made after this backup is put back too, so a restore
    never erases the record of earlier ones.
    """
    started = timezone.now()
    try:
        return _restore(archive_path=archive_path, started=started)
    except (BackupError, OSError) as problem:
        if not BackupRecord.objects.filter(kind="restore", started_at=started).exists():
            _record(kind="restore", started_at=started, outcome="failed",
                    file_name=archive_path.name[:200], error=str(problem)[:2000])  # fmt: skip
        raise BackupError(str(problem)) from problem


def _restore(*, archive_path: Path, started: datetime.datetime) -> RestoreReport:
    key = _key()
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} is not a file: nothing was restored.")
    evidence = list(BackupRecord.objects.values())
    with tempfile.TemporaryDirectory(prefix="wekst-restore-") as work:
        work = Path(work)
        # Decrypt and unpack in full before anything is replaced: a wrong key or a damaged file
        # leaves the site as it was.
        archive.decrypt(archive_path, work / "backup.tar.gz", key=key)
        staging = work / "archive"
        try:
            with tarfile.open(work / "backup.tar.gz", "r:gz") as tar:
                tar.extractall(staging, filter="data")
            manifest = json.loads((staging / "manifest.json").read_text())
        except (tarfile.TarError, OSError, ValueError) as problem:
            raise BackupError(f"The archive is damaged: {problem}") from problem
        if manifest.get("vendor") != connection.vendor:
            raise BackupError(
                f"The archive holds a {manifest.get('vendor')} database; this site uses "
                f"{connection.vendor}: nothing was restored."
            )
        archive.load_database(staging / "database")
        ledger = Path(settings.WEKST_ERASURE_LEDGER_PATH)
        for label, root in _roots().items():
            archive.replace_root(root, staging / label, keep=ledger)
    # A backup taken before the last upgrade has an older schema: bring it up to date before
    # anything reads it (the ledger's replay included).
    call_command("migrate", interactive=False, verbosity=0)
    _put_back_evidence(evidence)
    try:
        counts = reapply_erasure_ledger()
    except Exception as problem:
        _record(kind="restore", started_at=started, outcome="failed", file_name=archive_path.name,
                sha256=_sha256(archive_path), error=f"re-applying the erasure ledger: {problem}")  # fmt: skip
        raise BackupError(
            "The backup was restored but the erasure ledger could not be re-applied: do not "
            f"start the site before `manage.py reapply_erasure_ledger` succeeds ({problem})."
        ) from problem
    _record(
        kind="restore",
        started_at=started,
        outcome="succeeded",
        file_name=archive_path.name,
        size_bytes=archive_path.stat().st_size,
        sha256=_sha256(archive_path),
        erasures_reapplied=counts["erased"],
        suppressions_restored=counts["suppressions"],
    )
    return RestoreReport(
        erasures_reapplied=counts["erased"], suppressions_restored=counts["suppressions"]
    )


def _put_back_evidence(evidence: list[dict]) -> None:
    present = set(BackupRecord.objects.values_list("public_id", flat=True))
    BackupRecord.objects.bulk_create(
        BackupRecord(**{k: v for k, v in row.items() if k != "id"})
        for row in evidence
        if row["public_id"] not in present
    )
