from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Impact assessments")

    def ready(self) -> None:
        from assessments import checks  # noqa: F401 - registers the register's database checks
