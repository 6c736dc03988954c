from django.apps import AppConfig


class ProcessorsConfig(AppConfig):
    name = "processors"
    verbose_name = "Processors"

    def ready(self) -> None:
        from processors import checks  # noqa: F401 - registers the system checks
        from processors.providers import INTEGRATIONS

        # The provider integrations by key (processors.integration.integrations): read once the
        # apps are loaded, so the selectors, the connectors and other apps ask for a provider's
        # record without importing the provider modules, which import them.
        self.integrations = {integration.key: integration for integration in INTEGRATIONS}
        # The growth-meeting page books through Trafft's API when it is configured (leads.booking).
        from leads.booking import register_booking_provider
        from processors.trafft_booking import TRAFFT_BOOKING

        register_booking_provider(TRAFFT_BOOKING)
