"""Check the audit log's hash chain; exit 1 and name the first broken link if it was tampered with."""

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEntry
from audit.selectors import first_broken_link


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and report the first broken link."

    def handle(self, *args, **options):
        broken = first_broken_link()
        if broken is not None:
            raise CommandError(
                f"Audit log broken at entry #{broken.sequence} (id {broken.pk}, {broken.at:%Y-%m-%d %H:%M:%S}): "
                "its hash or its link to the previous entry does not match."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit log intact: {AuditEntry.objects.count()} entries.")
        )
