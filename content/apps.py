from django.apps import AppConfig

from declaration import audiences


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Content"

    def ready(self) -> None:
        from consent.guard import register_health_related_page
        from content.selectors import is_health_related_page, people_told_of_policy_changes

        # Told of a significant policy change (policy §13; TP-05); the declaration does not
        # import this app, which sits above it (docs/overview.md, "The layers").
        audiences.register_audience(people_told_of_policy_changes)
        # Articles and pages staff marked health-related get the sensitive-page guard (CON-10).
        register_health_related_page(is_health_related_page)
