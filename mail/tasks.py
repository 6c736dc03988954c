"""Background delivery of stored email."""

from django.tasks import task

from mail import services


@task
def deliver_email(email_id: int) -> None:
    services.deliver_email(email_id=email_id)


@task
def resend_stuck_email() -> int:
    return services.resend_stuck_email()
