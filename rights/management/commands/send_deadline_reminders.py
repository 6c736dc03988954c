"""Email staff the privacy requests due within RIGHTS_REMINDER_DAYS, or overdue (RIG-06)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from rights.services.deadlines import send_deadline_reminders


class Command(BaseCommand):
    help = "Remind staff of privacy requests due soon or overdue (once per deadline)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Remind of requests due within this many days."
        )

    def handle(self, *args, days=None, **options):
        count = send_deadline_reminders(now=timezone.now(), within_days=days)
        self.stdout.write(f"Reminded staff of {count} request(s).")
