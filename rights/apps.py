from django.apps import AppConfig

from clinics import processor_erasure
from mail.guards import register_send_guard
from subjects import stops


class RightsConfig(AppConfig):
    name = "rights"
    verbose_name = "Privacy requests"

    def ready(self) -> None:
        from rights import checks  # noqa: F401 - registers the system checks
        from rights.clinic_data import delete_passing_on, notice_outcomes
        from rights.ledger import erased_before
        from rights.processing import ensure_may_email, objection_in_force
        from rights.selectors import restricted_subject_ids

        # The mail queue refuses an email to a person for a processing they objected to (Art.
        # 21); it sits below this app, so the check is handed to it here (mail.guards).
        register_send_guard(ensure_may_email)
        # The areas below ask what a person stopped without importing this app (subjects.stops).
        stops.answer_with(
            restricted_subject_ids=restricted_subject_ids,
            objection_in_force=objection_in_force,
            erased_before=erased_before,
        )
        # The end of a clinic's engagement deletes its data at the processors too (CL-08); the
        # clinics app sits below this one, so the way is handed to it here.
        processor_erasure.answer_with(
            delete_passing_on=delete_passing_on, notice_outcomes=notice_outcomes
        )
