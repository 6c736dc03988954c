"""Restore a backup, then re-apply the erasure ledger before returning (docs/backups.md).

Stop the web server, the worker and the scheduler first: the site must not serve the restored
data before the ledger has been re-applied.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError
from backups.services import restore_backup


class Command(BaseCommand):
    help = "Restore an encrypted backup (database, media, private files) and re-apply erasures."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="The backup archive (.tar.gpg).")

    def handle(self, *args, input, **options):
        try:
            report = restore_backup(archive_path=Path(input))
        except BackupError as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup restored; erasure ledger re-applied: {report.erasures_reapplied} "
                f"subject(s) erased again, {report.suppressions_restored} suppression entr(y/ies) "
                "restored. The site may be started."
            )
        )
