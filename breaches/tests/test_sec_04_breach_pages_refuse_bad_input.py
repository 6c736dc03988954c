"""The breach's pages refuse what cannot be true with a clear error: a person affected given by
something that is not an id, a notification to Datatilsynet sent in the future, which could
never be corrected, being recorded once only (SEC-04; Art. 33)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from breaches import services
from breaches.tests.factories import change_form_data, hours, make_breach
from subjects.services import find_or_create_subject

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/breaches/breach/"


@pytest.mark.parametrize("value", ["abc", "1.5", "99999999999999999999"])
def test_sec_04_a_person_affected_that_is_not_an_id_is_a_form_error(admin_client, value):
    breach = make_breach()
    kari = find_or_create_subject(email="kari@klinikk.example")

    page = admin_client.post(
        f"{CHANGELIST}{breach.pk}/change/",
        change_form_data(breach, affected_subjects=[str(kari.pk), value]),
    )

    assert page.status_code == 200
    assert f"Not people in our records: {value}" in page.text
    assert f'<option value="{kari.pk}" selected>' in page.text  # the real one is kept
    assert breach.affected_subjects.count() == 0


def _record(client, breach, when: datetime.datetime):
    return client.post(
        f"{CHANGELIST}{breach.pk}/authority-notification/",
        {"notified_at": f"{timezone.localtime(when):%Y-%m-%d %H:%M}", "reference": "DT-1"},
    )


@pytest.mark.parametrize("ahead", [hours(1), datetime.timedelta(days=365 * 7000)])
def test_sec_04_a_notification_to_datatilsynet_in_the_future_is_refused(admin_client, ahead):
    breach = make_breach(became_aware_at=timezone.now() - hours(2))

    page = _record(admin_client, breach, timezone.now() + ahead)

    assert page.status_code == 200
    assert "cannot have been sent in the future" in page.text
    breach.refresh_from_db()
    assert breach.authority_notified_at is None
    # Nothing is recorded: the right time still can be.
    assert _record(admin_client, breach, timezone.now() - hours(1)).status_code == 302


def test_sec_04_a_clock_a_few_minutes_ahead_is_allowed():
    breach = make_breach(became_aware_at=timezone.now() - hours(2))
    with time_machine.travel(timezone.now(), tick=False):
        services.record_authority_notification(
            breach_id=breach.pk,
            notified_at=timezone.now() + services.NOTIFIED_AT_CLOCK_TOLERANCE,
            reference="DT-1",
            actor="privacy-officer",
        )
    breach.refresh_from_db()
    assert breach.authority_notified_at is not None


def test_sec_04_the_service_refuses_the_future_whoever_calls_it():
    breach = make_breach(became_aware_at=timezone.now() - hours(2))
    with pytest.raises(ValidationError, match="in the future"):
        services.record_authority_notification(
            breach_id=breach.pk,
            notified_at=timezone.now() + hours(1),
            reference="",
            actor="privacy-officer",
        )
