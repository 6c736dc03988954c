"""Copy the declaration's recipients into the processor register (after a change of the YAML)."""

from django.core.management.base import BaseCommand

from processors.services import sync_register


class Command(BaseCommand):
    help = (
        "Copy every recipient of the declaration of processing, with its data flows, into the "
        "processor register. Agreements and safeguards on record are kept."
    )

    def handle(self, *args, **options):
        created, updated = sync_register()
        self.stdout.write(
            self.style.SUCCESS(
                f"Processor register: {created} added, {updated} brought up to date."
            )
        )
