"""Give the Art. 14 notices of leads from other sources now, and list those still waiting."""

from django.core.management.base import BaseCommand

from leads import notices, other_sources


class Command(BaseCommand):
    help = (
        "Queue the Art. 14 notice of every lead from another source that has an address and "
        "none yet, and tell staff of those near or past their one-month deadline (it also runs "
        "daily through the scheduler). With --list, only print where each waiting notice stands."
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="Print, change nothing.")

    def handle(self, *args, list: bool = False, **options):  # noqa: A002 - the option's name
        if list:
            for lead in notices.awaiting_notice().order_by("created_at"):
                self.stdout.write(f"{lead.public_id}  {notices.notice_state(lead)}")
            return
        result = other_sources.check_art14_notices()
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.queued} notice(s) queued; waiting on staff: {result.due_soon} due "
                f"within {notices.WARN_BEFORE_DEADLINE.days} days, {result.overdue} overdue "
                f"({result.withheld} of the person's own choice: objected or erased)."
            )
        )
