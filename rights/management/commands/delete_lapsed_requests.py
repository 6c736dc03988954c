"""Delete portal requests whose verification link expired unused (never valid requests)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from rights.services.links import delete_lapsed_requests


class Command(BaseCommand):
    help = "Delete unverified privacy requests whose link has expired."

    def handle(self, *args, **options):
        count = delete_lapsed_requests(now=timezone.now())
        self.stdout.write(f"Deleted {count} lapsed request(s).")
