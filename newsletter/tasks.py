"""Background work of the newsletter: sending an issue."""

from django.tasks import task

from newsletter import services


@task
def send_issue(issue_id: int) -> int:
    return services.send_issue(issue_id=issue_id)
