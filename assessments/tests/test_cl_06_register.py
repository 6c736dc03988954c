"""The DPIA register (GDPR Art. 35; checklist CL-06, RP-06): each assessment with its scope,
risks, measures, decision and review date; lapsed past its review date; every DPIA the
declaration names is on record, or the database check and the staff workbench say so."""

import datetime

import pytest
import time_machine
from django.core import checks
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from assessments.models import DPIA, Level
from assessments.selectors import lapsed_dpias, missing_dpias
from assessments.tests.factories import dpia_form, make_dpia
from declaration.selectors import get_declaration
from wekst.workbench import workbench_for

pytestmark = pytest.mark.django_db


def register_warnings() -> list[checks.CheckMessage]:
    found = checks.run_checks(tags=[checks.Tags.database], databases=["default"])
    return [m for m in found if m.id.startswith("assessments.")]


def test_cl_06_a_dpia_holds_scope_risks_measures_decision_and_review_date():
    dpia = make_dpia()
    dpia.full_clean()
    [risk] = dpia.risks.all()
    assert risk.likelihood == "possible" and risk.severity == "severe"
    assert dpia.allows_processing(timezone.localdate())


def test_cl_06_a_dpia_past_its_review_date_has_lapsed():
    dpia = make_dpia(review_in_days=30)
    today = timezone.localdate()
    assert not dpia.is_lapsed(today)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        later = timezone.localdate()
        assert dpia.is_lapsed(later)
        assert not dpia.allows_processing(later)
        assert list(lapsed_dpias(on=later)) == [dpia]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"decided_by": ""}, "decided_by"),
        ({"decision": DPIA.Decision.PROCEED, "residual_risk": Level.HIGH}, "decision"),
        ({"review_on": datetime.date(2000, 1, 1)}, "review_on"),
        ({"reference": "dpia 2"}, "reference"),
        ({"processing_covered": "clinic_enquiries"}, "processing_covered"),
    ],
    ids=["no decider", "high risk proceeds", "review before decision", "reference", "covered"],
)
def test_cl_06_a_dpia_that_does_not_hold_together_is_refused_with_a_clear_error(changes, field):
    dpia = make_dpia()
    for name, value in changes.items():
        setattr(dpia, name, value)
    with pytest.raises(ValidationError) as caught:
        dpia.full_clean()
    assert field in caught.value.message_dict


def test_cl_06_prior_consultation_does_not_let_the_processing_go_ahead():
    dpia = make_dpia(decision=DPIA.Decision.PRIOR_CONSULTATION)
    assert not dpia.allows_processing(timezone.localdate())


def test_cl_06_every_dpia_the_declaration_names_is_checked_against_the_register():
    named = get_declaration().dpia_references()
    assert set(missing_dpias(declaration=get_declaration())) == set(named)
    warnings = register_warnings()
    assert {w.id for w in warnings} == {"assessments.W001"}
    assert any("DPIA-2026-02" in w.msg and "clinic_campaign_audiences" in w.msg for w in warnings)

    for reference in named:
        make_dpia(reference)

    assert missing_dpias(declaration=get_declaration()) == {}
    assert register_warnings() == []


def test_cl_06_start_up_checks_do_not_need_the_database():
    """`manage.py check` (no --database) never reads the register: start-up needs no database."""
    assert [m for m in checks.run_checks() if m.id.startswith("assessments.")] == []


def test_cl_06_a_lapsed_dpia_is_a_database_check_warning():
    for reference in get_declaration().dpia_references():
        make_dpia(reference, review_in_days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        warnings = register_warnings()
    assert {w.id for w in warnings} == {"assessments.W002"}


def test_cl_06_the_workbench_shows_missing_and_lapsed_dpias(admin_user):
    make_dpia("DPIA-2026-01", review_in_days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        sections = workbench_for(user=admin_user)
    [section] = [s for s in sections if s.title == "Impact assessments"]
    lines = {line.label: line for line in section.lines}
    assert lines["DPIAs past their review date"].count == 1
    assert lines["DPIAs the declaration names that are not on record"].text == "DPIA-2026-02"
    assert lines["DPIAs past their review date"].urgent
    assert lines["DPIAs the declaration names that are not on record"].urgent


def test_cl_06_staff_record_a_dpia_with_its_risks_in_the_back_office(admin_client):
    url = "/admin/assessments/dpia/add/"
    assert admin_client.get(url).status_code == 200

    refused = admin_client.post(url, dpia_form(decision="proceed", residual_risk="high"))
    assert refused.status_code == 200
    assert "consult Datatilsynet first" in refused.content.decode()
    assert not DPIA.objects.exists()

    response = admin_client.post(url, dpia_form())
    assert response.status_code == 302
    dpia = DPIA.objects.get(reference="DPIA-2026-02")
    assert dpia.risks.get().severity == "severe"
    listing = admin_client.get("/admin/assessments/dpia/").content.decode()
    # named in the declaration by: the processing, by the name the declaration gives it
    assert "Audiences for a clinic&#x27;s campaigns (for clinics, as their processor)" in listing


def test_cl_06_the_registers_labels_are_in_both_languages():
    with translation.override("nb"):
        assert str(DPIA._meta.verbose_name_plural) == "DPIA-register"
        assert str(DPIA._meta.get_field("review_on").verbose_name) == "dato for ny gjennomgang"
        assert (
            str(DPIA.Decision.PRIOR_CONSULTATION.label) == "Rådfør med Datatilsynet først (art. 36)"
        )
