"""The areas ask what a person stopped through subjects.stops; the rights app answers (RIG-05)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from rights.models import Restriction
from subjects import stops
from subjects.models import Subject


@pytest.mark.django_db
def test_rig_05_the_rights_app_answers_what_a_person_stopped():
    subject = Subject.objects.create(email="objector@example.com")
    assert not stops.objection_in_force(subject_id=subject.pk)
    Restriction.objects.create(subject=subject, kind=Restriction.Kind.OBJECTION)

    assert stops.objection_in_force(subject_id=subject.pk)
    assert subject.pk in set(stops.restricted_subject_ids().values_list("subject_id", flat=True))


def test_rig_05_unanswered_it_raises_instead_of_saying_nothing_was_stopped(monkeypatch):
    monkeypatch.setattr(stops, "_answers", {})

    with pytest.raises(ImproperlyConfigured, match="restricted_subject_ids"):
        stops.restricted_subject_ids()
    with pytest.raises(ImproperlyConfigured, match="objection_in_force"):
        stops.objection_in_force(subject_id=1)
