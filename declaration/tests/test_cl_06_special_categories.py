"""Special categories in the declaration (checklist CL-06; GDPR Art. 9, 35): an activity or a
kind of processing for clinics that can reveal health data names its Art. 9(2) condition and its
DPIA, or the declaration is refused at start-up naming the entry; the privacy policy and the
records of processing (Art. 30(1) and 30(2)) show both."""

import copy
import csv
import io

import pytest
import yaml
from django.urls import reverse

from clinics.records import COLUMNS as PROCESSOR_COLUMNS
from clinics.records import build_processor_records
from clinics.tests.factories import make_clinic
from declaration.overrides import changed_declaration
from declaration.records import COLUMNS, build_records
from declaration.schema import DeclarationError, parse_declaration
from declaration.schema.vocabulary import ART9_CONDITIONS
from declaration.selectors import get_declaration
from declaration.tests.test_startup import manage_py_check
from declaration.tests.test_validation import _real_data

SPECIAL = "Special categories (Art. 9(2) condition, DPIA)"


@pytest.fixture
def data() -> dict:
    return copy.deepcopy(_real_data())


def problems(data) -> list[str]:
    with pytest.raises(DeclarationError) as caught:
        parse_declaration(data)
    return caught.value.problems


def advertising_reveals_health(data: dict, **fields) -> None:
    data["activities"]["advertising"].update({"special_categories": ["health"], **fields})


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"


# Refused without its condition or its DPIA --------------------------------------------------------


def test_cl_06_an_activity_revealing_health_data_without_an_art_9_condition_is_refused(data):
    advertising_reveals_health(data, dpia="DPIA-2026-09")
    found = problems(data)
    assert any(
        p.startswith(
            "activities.advertising: can reveal health data (special_categories) but "
            "names no Art. 9(2) condition"
        )
        for p in found
    ), found


def test_cl_06_an_activity_revealing_health_data_without_a_dpia_is_refused(data):
    advertising_reveals_health(data, art9_condition="explicit_consent")
    found = problems(data)
    assert any(
        p.startswith(
            "activities.advertising: can reveal health data (special_categories) but "
            "names no DPIA (GDPR Art. 35)"
        )
        for p in found
    ), found


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"art9_condition": "legitimate_interests", "dpia": "DPIA-2026-09"},
            "unknown art9_condition",
        ),
        ({"art9_condition": "explicit_consent", "dpia": "our dpia"}, "is not a register reference"),
        ({"special_categories": ["wealth"]}, "unknown special category 'wealth'"),
        (
            {"special_categories": [], "dpia": "DPIA-2026-09"},
            "dpia is given but special_categories",
        ),
    ],
    ids=["not an Art. 9(2) condition", "not a reference", "not a category", "dpia without"],
)
def test_cl_06_a_wrong_special_category_entry_is_refused_naming_it(data, fields, expected):
    data["activities"]["advertising"].update({"special_categories": ["health"], **fields})
    found = problems(data)
    assert any(p.startswith("activities.advertising: ") and expected in p for p in found), found


@pytest.mark.parametrize("missing", ["art9_condition", "dpia"])
def test_cl_06_clinic_processing_revealing_health_data_needs_its_condition_and_dpia(data, missing):
    del data["clinic_processing"]["clinic_campaign_audiences"][missing]
    found = problems(data)
    assert any(
        p.startswith("clinic_processing.clinic_campaign_audiences: can reveal health data")
        and missing in p
        for p in found
    ), found


def test_cl_06_clinic_processing_must_say_which_special_categories_it_can_reveal(data):
    del data["clinic_processing"]["clinic_campaign_reports"]["special_categories"]
    found = problems(data)
    assert any(
        p.startswith("clinic_processing.clinic_campaign_reports: special_categories is missing")
        for p in found
    ), found


def test_cl_06_start_up_refuses_a_health_revealing_entry_without_its_dpia(tmp_path, data):
    del data["clinic_processing"]["clinic_enquiries"]["dpia"]
    broken = tmp_path / "declaration.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    result = manage_py_check(broken)

    assert result.returncode != 0
    assert "clinic_processing.clinic_enquiries: can reveal health data" in result.stderr
    assert "names no DPIA" in result.stderr


def test_cl_06_the_declared_processing_for_clinics_names_condition_and_dpia():
    """What the declaration says today: the clinic's enquiry forms and campaign audiences can
    reveal health data; Wekst's own activities (marketing to the people who run clinics) none."""
    declaration = get_declaration()
    audiences = declaration.clinic_processing["clinic_campaign_audiences"].special
    assert audiences.categories == ("health",) and audiences.condition == "explicit_consent"
    enquiries = declaration.clinic_processing["clinic_enquiries"].special
    assert enquiries.categories == ("health",) and enquiries.condition in ART9_CONDITIONS
    assert not declaration.clinic_processing["clinic_campaign_reports"].special.categories
    assert not any(a.special.categories for a in declaration.activities.values())
    assert set(declaration.dpia_references()) == {enquiries.dpia, audiences.dpia}


# Shown in the policy and the records ------------------------------------------------------------


@pytest.mark.django_db
def test_cl_06_the_privacy_policy_shows_each_condition_and_dpia_in_both_languages(client):
    english = client.get("/privacy/").content.decode()
    norwegian = client.get("/nb/privacy/").content.decode()
    assert 'id="clinic-processing-clinic_campaign_audiences"' in english
    assert "Data concerning health" in english
    assert "Explicit consent of the person concerned (Art. 9(2)(a))" in english
    assert "Impact assessment</span>" not in english  # the label is inline text, not markup
    assert "DPIA-2026-02" in english and "DPIA-2026-01" in english
    assert "No special categories of data." in english
    assert "Opplysninger om helse" in norwegian
    assert "art. 9 nr. 2 bokstav a" in norwegian
    assert "DPIA-2026-02" in norwegian


@pytest.mark.django_db
def test_cl_06_an_activity_revealing_health_data_shows_it_in_the_policy(client):
    with changed_declaration(
        lambda d: advertising_reveals_health(
            d, art9_condition="explicit_consent", dpia="DPIA-2026-09"
        )
    ):
        page = client.get("/privacy/").content.decode()
    section = page.split('id="activity-advertising"', 1)[1].split("</section>", 1)[0]
    assert "Special categories" in section
    assert "Data concerning health" in section
    assert "(Art. 9(2)(a))" in section and "DPIA-2026-09" in section


@pytest.mark.django_db
def test_cl_06_the_records_as_controller_show_condition_and_dpia(staff_client):
    with changed_declaration(
        lambda d: advertising_reveals_health(
            d, art9_condition="explicit_consent", dpia="DPIA-2026-09"
        )
    ):
        records = {r.activity.key: r.cells for r in build_records(get_declaration())}
        response = staff_client.get(reverse("declaration_admin:records_csv"))
    column = COLUMNS.index(SPECIAL)
    assert "Data concerning health" in records["advertising"][column]
    assert "Art. 9(2)(a)" in records["advertising"][column]
    assert "DPIA-2026-09" in records["advertising"][column]
    assert records["newsletter"][column] == "-"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert SPECIAL in rows[0]


@pytest.mark.django_db
def test_cl_06_the_records_as_processor_show_each_clinic_processings_condition_and_dpia():
    make_clinic()
    [record] = build_processor_records("en")
    cell = record.cells[
        PROCESSOR_COLUMNS.index("Special categories (the clinic's Art. 9(2) condition, DPIA)")
    ]
    assert "Audiences for a clinic's campaigns: Data concerning health" in cell
    assert "Explicit consent of the person concerned (Art. 9(2)(a)); DPIA DPIA-2026-02" in cell
    assert "Art. 9(2)(h)); DPIA DPIA-2026-01" in cell
    assert "Reports on a clinic's campaigns" not in cell
