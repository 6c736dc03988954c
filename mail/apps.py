from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = "Outgoing email"

    def ready(self):
        from mail import checks  # noqa: F401 - registers the system checks
