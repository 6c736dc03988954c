"""A breach's page opened before a colleague notified the clinic or recorded the notification to
Datatilsynet, saved afterwards: the notification stays recorded, and the countdown does not ask
for a second one (SEC-01). The times are set only by the steps that notify or record, once."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from breaches import services
from breaches.models import Breach
from breaches.tests.factories import change_form_data, hours, make_breach
from clinics.models import Clinic
from mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/breaches/breach/"


def page_as_opened(breach: Breach, **changes) -> dict:
    """The change form as a page opened before the notification would post it, with the
    notification times it showed then (empty)."""
    return change_form_data(
        breach,
        clinic_notified_at_0="",
        clinic_notified_at_1="",
        authority_notified_at_0="",
        authority_notified_at_1="",
        **changes,
    )


def test_sec_01_a_stale_page_saved_after_the_clinic_was_notified_keeps_the_notice(
    admin_client, privacy_officer_client
):
    clinic = Clinic.objects.create(
        name="Nordmann Tannklinikk", slug="nordmann", email="personvern@nordmann.example"
    )
    breach = make_breach(clinic=clinic)
    url = f"{CHANGELIST}{breach.pk}/change/"
    assert admin_client.get(url).status_code == 200
    stale = Breach.objects.get(pk=breach.pk)
    privacy_officer_client.post(
        CHANGELIST, {"action": "notify_clinic", "_selected_action": [breach.pk]}
    )

    saved = admin_client.post(url, page_as_opened(stale, measures_taken="Passwords reset."))
    privacy_officer_client.post(
        CHANGELIST, {"action": "notify_clinic", "_selected_action": [breach.pk]}
    )

    assert saved.status_code == 302
    breach.refresh_from_db()
    assert breach.measures_taken == "Passwords reset."
    assert breach.clinic_notified_at is not None
    assert OutgoingEmail.objects.filter(to_address=clinic.email).count() == 1


def test_sec_01_the_notification_to_datatilsynet_is_recorded_once_and_survives_a_stale_page(
    admin_client, privacy_officer_client
):
    breach = make_breach(became_aware_at=timezone.now() - hours(100))  # notified in the past
    url = f"{CHANGELIST}{breach.pk}/change/"
    record = f"{CHANGELIST}{breach.pk}/authority-notification/"
    assert record in admin_client.get(url).content.decode()
    stale = Breach.objects.get(pk=breach.pk)
    sent = timezone.localtime(breach.became_aware_at + hours(20))
    first = {"notified_at": f"{sent:%Y-%m-%d %H:%M}", "reference": "DT-2026-0042"}

    done = privacy_officer_client.post(record, first)
    admin_client.post(url, page_as_opened(stale, measures_taken="Passwords reset."))
    again = admin_client.post(record, first | {"reference": "DT-2026-0043"})

    assert done.status_code == 302
    assert "recorded already" in again.content.decode()
    breach.refresh_from_db()
    assert (breach.authority_notified_at, breach.authority_reference) == (
        sent.replace(second=0, microsecond=0),
        "DT-2026-0042",
    )
    assert breach.measures_taken == "Passwords reset."
    assert AuditEntry.objects.filter(reason__contains="Datatilsynet recorded").count() == 1


def test_sec_01_a_late_notification_to_datatilsynet_needs_the_reasons_for_the_delay():
    breach = make_breach(became_aware_at=timezone.now() - hours(100))  # notified in the past
    with pytest.raises(ValidationError, match="reasons for the delay"):
        services.record_authority_notification(
            breach_id=breach.pk,
            notified_at=breach.became_aware_at + hours(73),
            reference="",
            actor="privacy-officer",
        )
    breach.refresh_from_db()
    assert breach.authority_notified_at is None


def test_sec_01_awareness_moved_after_the_recorded_notification_is_refused_on_the_page(
    admin_client,
):
    breach = make_breach(authority_notified_at=timezone.now() + hours(1))
    later = timezone.localtime(breach.became_aware_at + hours(5))

    page = admin_client.post(
        f"{CHANGELIST}{breach.pk}/change/",
        page_as_opened(
            breach, became_aware_at_0=f"{later:%Y-%m-%d}", became_aware_at_1=f"{later:%H:%M:%S}"
        ),
    )

    assert page.status_code == 200
    assert "cannot have been notified before" in page.content.decode()
