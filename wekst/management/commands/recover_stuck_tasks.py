"""Set tasks whose worker died mid-task back to READY (wekst/workers.py)."""

from django.core.management.base import BaseCommand

from wekst.workers import recover_stuck_tasks


class Command(BaseCommand):
    help = (
        "Set every task left RUNNING by a worker that died (longer than "
        "TASKS_STUCK_AFTER_SECONDS, worker gone) back to READY, so that a worker runs it again."
    )

    def handle(self, *args, **options):
        recovery = recover_stuck_tasks()
        self.stdout.write(
            f"{len(recovery.requeued)} task(s) set back to READY, "
            f"{len(recovery.failed)} failed after repeated worker deaths."
        )
