"""The clinics app (Wekst as processor for clinics; docs/clinics.md)."""

from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = "Clinics (Wekst as processor)"
