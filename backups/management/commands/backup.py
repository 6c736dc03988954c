"""Back up the database, media and private files into one encrypted archive (docs/backups.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError
from backups.services import create_backup


class Command(BaseCommand):
    help = "Write an encrypted backup into --output, and delete backups there past their rule."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The directory the backups go to.")

    def handle(self, *args, output, **options):
        try:
            record = create_backup(output_dir=Path(output))
        except BackupError as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {Path(output) / record.file_name} ({record.size_bytes} bytes, "
                f"sha256 {record.sha256}); {record.backups_deleted} expired backup(s) deleted."
            )
        )
