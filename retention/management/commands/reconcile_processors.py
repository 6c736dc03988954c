"""Ask the processors what they still hold beyond their retention rule, and report it (RT-09)."""

from django.core.management.base import BaseCommand

from retention.models import SweepRun
from retention.reconciliation import reconcile_processors


class Command(BaseCommand):
    help = (
        "Check each processor against the retention rules (it also runs daily through the "
        "scheduler): Brevo's contacts that nothing here needs any more, and erasures passed on "
        "but not confirmed. Findings are references only; staff see them in the back office."
    )

    def handle(self, *args, **options):
        checks = reconcile_processors(trigger=SweepRun.Trigger.COMMAND)
        for check in checks:
            how = f"asked, {check.checked} checked" if check.asked else "not asked"
            self.stdout.write(f"{check.processor:<18} {how:<22} still held: {check.still_held}")
            if check.error:
                self.stdout.write(self.style.WARNING(f"  {check.error}"))
            for finding in check.findings.all():
                self.stdout.write(f"  {finding.reference}: {finding.reason}")
        self.stdout.write(self.style.SUCCESS(f"{sum(c.still_held for c in checks)} still held."))
