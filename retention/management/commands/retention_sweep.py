"""Erase what the retention rules say has expired, or (--dry-run) show what would be and why."""

from django.core.management.base import BaseCommand, CommandError

from retention import selectors, services
from retention.models import SweepRun


class Command(BaseCommand):
    help = (
        "Run the retention sweep now (it also runs daily through the scheduler). With --dry-run, "
        "print per rule what would be erased and what is kept, and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show counts, change nothing.")
        parser.add_argument(
            "--batch-size", type=int, help="Ids per transaction (default: setting)."
        )

    def handle(self, *args, dry_run: bool = False, batch_size: int | None = None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if dry_run:
            self._print_preview()
            return
        run = services.run_sweep(trigger=SweepRun.Trigger.COMMAND, batch_size=batch_size)
        for count in run.counts.all():
            verb = "cleared" if count.action == "clear" else "erased"
            kept = ", ".join(f"{name} {n}" for name, n in count.kept.items() if n)
            self.stdout.write(
                f"{count.rule:<26} {count.model:<36} {verb} {count.erased:>8}"
                + (f"  kept: {kept}" if kept else "")
            )
        self.stdout.write(self.style.SUCCESS(f"Sweep {run.pk} {run.get_status_display().lower()}."))

    def _print_preview(self) -> None:
        self.stdout.write("Dry run: nothing is changed.\n")
        for part in selectors.preview():
            rule, entry = part.rule, part.entry
            self.stdout.write(self.style.MIGRATE_HEADING(f"{rule.key}"))
            self.stdout.write(f"  why: {rule.description.en}")
            if not part.is_sweep:
                self.stdout.write(f"  kept elsewhere: {entry.where}")
                continue
            verb = "cleared" if entry.clear_fields else "erased"
            self.stdout.write(
                f"  {entry.model}: {part.erasable} would be {verb} "
                f"({entry.clock} before {part.cutoff.moment:%Y-%m-%d %H:%M}"
                + (f", {entry.clock_note}" if entry.clock_note else "")
                + ")"
            )
            for _name, label, n in part.kept:
                if n:
                    self.stdout.write(f"  kept because {label}: {n}")
            if part.holds:
                self.stdout.write(f"  legal holds applying: {', '.join(part.holds)}")
