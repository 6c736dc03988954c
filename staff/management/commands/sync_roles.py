"""Create or update the staff roles (groups and their permissions); run after every migrate."""

from django.core.management.base import BaseCommand

from staff.services import sync_roles


class Command(BaseCommand):
    help = "Create or update the staff roles (Administrator, Privacy officer, Sales) as groups."

    def handle(self, *args, **options):
        for group, count in sync_roles().items():
            if options["verbosity"] > 0:
                self.stdout.write(f"{group}: {count} permissions")
