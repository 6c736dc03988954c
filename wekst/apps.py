from django.apps import AppConfig


class WekstConfig(AppConfig):
    name = "wekst"
    verbose_name = "Wekst platform"
