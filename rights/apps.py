from django.apps import AppConfig

from mail.guards import register_send_guard


class RightsConfig(AppConfig):
    name = "rights"
    verbose_name = "Privacy requests"

    def ready(self) -> None:
        from rights import checks  # noqa: F401 - registers the system checks
        from rights.processing import ensure_may_email

        # The mail queue refuses an email to a person for a processing they objected to (Art.
        # 21); it sits below this app, so the check is handed to it here (mail.guards).
        register_send_guard(ensure_may_email)
