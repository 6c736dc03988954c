"""Run the scheduler: enqueue every schedule of wekst/schedules.py when due, until stopped."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from wekst.scheduler import enqueue_due_schedules

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Enqueue the scheduled tasks (wekst/schedules.py) when they are due; the worker "
        "(db_worker) runs them. Safe to run twice or to restart: a slot is enqueued once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=30.0, help="Seconds between checks (default 30)."
        )
        parser.add_argument("--once", action="store_true", help="Check once, then exit.")

    def handle(self, *args, interval: float = 30.0, once: bool = False, **options):
        stop = threading.Event()
        if not once:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
        while not stop.is_set():
            close_old_connections()
            try:
                for name in enqueue_due_schedules():
                    self.stdout.write(f"Enqueued {name}")
            except DatabaseError:
                # A database outage must not end the scheduler: it tries again next time.
                logger.exception("Scheduler could not check its schedules")
            if once:
                break
            stop.wait(interval)
