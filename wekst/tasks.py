"""Background tasks of the project itself."""

from django.tasks import task

from wekst import workers


@task
def recover_stuck_tasks() -> dict[str, int]:
    recovery = workers.recover_stuck_tasks()
    return {"requeued": len(recovery.requeued), "failed": len(recovery.failed)}
