from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "rights"
    verbose_name = "Privacy requests"

    def ready(self) -> None:
        from rights import checks  # noqa: F401 - registers the system checks
