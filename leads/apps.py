from django.apps import AppConfig

from declaration import audiences


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads and meetings"

    def ready(self) -> None:
        from leads.selectors import languages_of_latest_enquiries

        # The language a policy notice is written in (policy §13; TP-05); the declaration does not
        # import this app, which sits above it (docs/overview.md, "The layers").
        audiences.register_language_source(languages_of_latest_enquiries)
