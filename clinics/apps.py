"""The clinics app (Wekst as processor for clinics; docs/clinics.md)."""

from django.apps import AppConfig

from declaration import audiences
from leads import clinic_scope
from subjects import scope


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = "Clinics (Wekst as processor)"

    def ready(self) -> None:
        from clinics.selectors import (
            clinic_data_visible_to,
            clinics_visible_to,
            people_told_of_policy_changes,
            subjects_visible_to,
            works_for_a_clinic,
        )

        # Told of a significant policy change (policy §13; TP-05); the declaration does not
        # import this app, which sits above it (docs/overview.md, "The layers").
        audiences.register_audience(people_told_of_policy_changes)
        # Who sees a clinic's leads in the leads' admin (CL-02): the rule is this app's.
        clinic_scope.answer_with(
            rows_visible_to=clinic_data_visible_to, clinics_visible_to=clinics_visible_to
        )
        # Whose people a staff member sees in the subject index and the rights tools (CL-02).
        scope.answer_with(
            subjects_visible_to=subjects_visible_to, works_for_a_clinic=works_for_a_clinic
        )
