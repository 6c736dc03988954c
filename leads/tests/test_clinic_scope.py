"""The leads' admin asks the clinics app who sees a clinic's leads (leads.clinic_scope; CL-02)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from clinics import selectors
from leads import clinic_scope


def test_cl_02_the_clinics_app_answers_with_its_own_rule():
    assert clinic_scope._rules == {
        "rows_visible_to": selectors.clinic_data_visible_to,
        "clinics_visible_to": selectors.clinics_visible_to,
    }


def test_cl_02_unanswered_it_raises_instead_of_showing_every_clinic(monkeypatch):
    monkeypatch.setattr(clinic_scope, "_rules", {})

    with pytest.raises(ImproperlyConfigured, match="rows_visible_to"):
        clinic_scope.rows_visible_to(object())
