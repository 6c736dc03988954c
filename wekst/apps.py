from django.apps import AppConfig


class WekstConfig(AppConfig):
    name = "wekst"
    verbose_name = "Wekst platform"

    def ready(self) -> None:
        from wekst import checks  # noqa: F401 - registers the system checks
