"""Recovering the tasks of a background worker that died mid-task (killed, out of memory, a host
lost), which django-tasks-db would otherwise leave RUNNING forever.

A task is claimed by setting it RUNNING with the worker's id; nothing ever looks at it again if
that worker dies. `recover_stuck_tasks` (a command, and a task the scheduler runs every few
minutes: wekst/schedules.py) sets such a task back to READY, so that another worker runs it from
the start. Every task of this platform is written to be run again safely (email is not sent
twice, an erasure already passed on is not passed on again), since a task can also be retried
after a failure; recovery relies on that.

Which worker is dead: a worker started as `db_worker --worker-id <host>:<pid>` (bin/run does) is
alive while that process runs on this host; its task is left alone however long it takes. For
any other id (another host, an id without a pid), a task RUNNING longer than
TASKS_STUCK_AFTER_SECONDS counts as its worker's death, so that setting must exceed the longest
task. A task whose workers died TASKS_MAX_WORKER_DEATHS times is failed instead of run again: it
is probably what kills them (e.g. it runs out of memory).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

MAX_WORKER_ID_LENGTH = 64  # db_worker refuses longer ids


def this_host() -> str:
    return socket.gethostname()[:40]


def worker_id_for(pid: int) -> str:
    """The id a worker with this process id on this host is started with: `<host>:<pid>`."""
    return f"{this_host()}:{pid}"[:MAX_WORKER_ID_LENGTH]


def worker_is_alive(worker_id: str) -> bool | None:
    """True or False when the id names a process on this host; None when that cannot be told."""
    host, separator, pid = worker_id.rpartition(":")
    if not separator or host != this_host() or not pid.isdigit():
        return None
    command_line = Path(f"/proc/{pid}/cmdline")
    if Path("/proc/self").exists():
        # Linux: the process must exist and still be a worker (a pid can be reused).
        try:
            return b"db_worker" in command_line.read_bytes()
        except OSError:
            return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Recovery:
    """What recover_stuck_tasks did: the ids of the tasks set back to READY, and of those failed."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def recover_stuck_tasks(*, now: datetime.datetime | None = None) -> Recovery:
    """Set every task whose worker died while running it back to READY, or fail it for good.

    A task counts as stuck when it has been RUNNING for longer than TASKS_STUCK_AFTER_SECONDS
    and its worker is not known to be alive (worker_is_alive). Each task is handled in its own
    transaction, under a row lock, so a worker finishing it at that moment is not overwritten.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.TASKS_STUCK_AFTER_SECONDS)
    recovery = Recovery()
    candidates = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).values_list("pk", "worker_ids")
    # A live worker's task is skipped before any lock is taken: on SQLite the lock would wait
    # for the whole task.
    dead = [pk for pk, ids in candidates if not (ids and worker_is_alive(ids[-1]))]
    for pk in dead:
        with transaction.atomic():
            task = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
                .first()
            )
            if task is None:
                continue
            deaths = len(task.worker_ids)
            if deaths >= settings.TASKS_MAX_WORKER_DEATHS:
                task.status = TaskResultStatus.FAILED
                task.finished_at = now
                task.exception_class_path = "wekst.workers.WorkerLost"
                task.traceback = (
                    f"The worker running this task died {deaths} times "
                    f"(workers {', '.join(task.worker_ids)}); it is not run again by itself."
                )
                task.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                recovery.failed.append(str(task.pk))
                logger.error("Task %s (%s) failed: its workers died", task.pk, task.task_path)
                continue
            task.status = TaskResultStatus.READY
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
            recovery.requeued.append(str(task.pk))
            logger.warning(
                "Task %s (%s) set back to READY: worker %s is gone",
                task.pk,
                task.task_path,
                task.worker_ids[-1] if task.worker_ids else "?",
            )
    return recovery
