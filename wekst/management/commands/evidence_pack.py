"""Write the evidence pack for Datatilsynet or an auditor to a ZIP file (docs/evidence-pack.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.services import record_event
from wekst.evidence.pack import build_evidence_pack


class Command(BaseCommand):
    help = "Write the evidence pack (records of processing, registers, logs, manifest) to a ZIP."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The ZIP file to write.")

    def handle(self, *args, output, **options):
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"No such folder: {path.parent}")
        data = build_evidence_pack()
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Could not write {path}: {error.strerror}.") from error
        record_event(
            actor="system:evidence_pack",
            action="export",
            object_type="wekst.EvidencePack",
            reason=f"Evidence pack written ({len(data)} bytes)",
        )
        self.stdout.write(self.style.SUCCESS(f"Evidence pack written to {path}."))
