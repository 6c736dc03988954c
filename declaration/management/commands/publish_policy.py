"""Publish the declaration's current policy version (run after every deploy, README)."""

from django.core.management.base import BaseCommand, CommandError

from declaration.publishing import PublishRefused, publish_policy


class Command(BaseCommand):
    help = (
        "Archive the current version of the privacy and cookie policies if it is new, and queue "
        "the notices of a significant change to the people concerned. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            result = publish_policy()
        except PublishRefused as refusal:
            raise CommandError(str(refusal)) from None
        version = result.version
        for earlier in result.earlier_recorded:
            self.stdout.write(f"Recorded earlier version {earlier} in the archive.")
        state = "published now" if result.created else "already published"
        self.stdout.write(
            self.style.SUCCESS(
                f"Policy version {version} {state}; takes effect on {version.effective_date}; "
                f"{result.notices_queued} notice(s) queued."
            )
        )
