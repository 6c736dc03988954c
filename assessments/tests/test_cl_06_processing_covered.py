"""The processing a DPIA covers is ticked in the back office from the declaration's entries,
named as the declaration names them, and stored as before: the entries' keys, a list of text
(CL-06). An entry the declaration has since dropped is shown, never dropped unseen; a key the form
did not offer is refused with a clear error and nothing is stored. Staff who may only view the
register see the entries named the same way, not as JSON."""

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.utils import translation
from django.utils.html import escape

from assessments.models import DPIA
from assessments.selectors import dpia_covers
from assessments.tests.factories import AUDIENCES, dpia_form, make_dpia
from declaration.selectors import get_declaration

pytestmark = pytest.mark.django_db
ADD = "/admin/assessments/dpia/add/"
ENQUIRIES = "clinic_processing.clinic_enquiries"
DROPPED = "clinic_processing.clinic_lookalike_audiences"  # not in the declaration


def change_url(dpia: DPIA) -> str:
    return f"/admin/assessments/dpia/{dpia.pk}/change/"


def covered_field(response):
    return response.context["adminform"].form["processing_covered"]


def test_cl_06_each_declared_entry_is_a_checkbox_named_as_the_declaration_names_it(admin_client):
    page = admin_client.get(ADD)

    entries = get_declaration().processing_entries()
    offered = [choice.data["value"] for choice in covered_field(page)]
    assert offered == list(entries)
    assert all(key.startswith(("activities.", "clinic_processing.")) for key in offered)
    html = page.content.decode()
    assert html.count('type="checkbox" name="processing_covered"') == len(entries)
    assert escape(entries[AUDIENCES].name.en) in html
    assert '<textarea name="processing_covered"' not in html


def test_cl_06_the_entries_are_named_in_the_pages_language(rf, admin_user):
    request = rf.get(ADD)
    request.user = admin_user
    form_class = admin.site._registry[DPIA].get_form(request)
    with translation.override("nb"):
        html = str(form_class()["processing_covered"])

    audiences = get_declaration().processing_entries()[AUDIENCES].name
    assert escape(audiences.nb) in html and escape(audiences.en) not in html
    assert "Behandling for klinikker, som deres databehandler" in html


def test_cl_06_the_ticked_entries_are_stored_as_their_keys(admin_client):
    response = admin_client.post(ADD, dpia_form(processing_covered=[ENQUIRIES, AUDIENCES]))

    assert response.status_code == 302
    dpia = DPIA.objects.get()
    assert dpia.processing_covered == [ENQUIRIES, AUDIENCES]
    assert dpia_covers(dpia, AUDIENCES)


def test_cl_06_nothing_ticked_covers_nothing(admin_client):
    """A checkbox left unticked is not posted at all: the form still reads it as "none"."""
    dpia = make_dpia(covers=(AUDIENCES,))
    form = dpia_form(processing_covered=[]) | {"risks-TOTAL_FORMS": "0"}

    assert admin_client.post(change_url(dpia), form).status_code == 302
    dpia.refresh_from_db()
    assert dpia.processing_covered == []


def test_cl_06_an_entry_the_declaration_dropped_is_shown_ticked_and_kept_on_save(admin_client):
    dpia = make_dpia(covers=(AUDIENCES, DROPPED))

    page = admin_client.get(change_url(dpia))

    ticked = {c.data["value"]: c.data["selected"] for c in covered_field(page)}
    assert ticked[DROPPED] and ticked[AUDIENCES] and not ticked[ENQUIRIES]
    assert f"{DROPPED} (no longer in the declaration)" in page.content.decode()

    # Saved as shown, with another field changed: the dropped entry stays.
    form = dpia_form(processing_covered=[AUDIENCES, DROPPED], title="Audiences, reviewed")
    form |= {"risks-TOTAL_FORMS": "0"}
    assert admin_client.post(change_url(dpia), form).status_code == 302
    dpia.refresh_from_db()
    assert dpia.title == "Audiences, reviewed"
    assert dpia.processing_covered == [AUDIENCES, DROPPED]

    # Unticked by staff, it goes.
    assert (
        admin_client.post(change_url(dpia), form | {"processing_covered": [AUDIENCES]}).status_code
        == 302
    )
    dpia.refresh_from_db()
    assert dpia.processing_covered == [AUDIENCES]
    assert DROPPED not in [
        c.data["value"] for c in covered_field(admin_client.get(change_url(dpia)))
    ]


@pytest.mark.parametrize(
    "tampered",
    [DROPPED, "clinic_enquiries", '["clinic_processing.clinic_enquiries"]', ""],
    ids=["not declared", "key without its section", "raw JSON", "empty"],
)
def test_cl_06_a_key_the_form_did_not_offer_is_refused_and_nothing_is_stored(
    admin_client, tampered
):
    refused = admin_client.post(ADD, dpia_form(processing_covered=[AUDIENCES, tampered]))

    assert refused.status_code == 200
    assert covered_field(refused).errors == [
        f"“{tampered}” is not one of the declaration's entries: tick the entries listed."
    ]
    assert not DPIA.objects.exists()

    dpia = make_dpia(covers=(AUDIENCES,))
    form = dpia_form(processing_covered=[tampered], title="Changed") | {"risks-TOTAL_FORMS": "0"}
    assert admin_client.post(change_url(dpia), form).status_code == 200
    dpia.refresh_from_db()
    assert (dpia.title, dpia.processing_covered) == (
        "Audiences for clinics' campaigns",
        [AUDIENCES],
    )


def test_cl_06_staff_who_may_only_view_see_the_entries_named_not_as_json(
    staff_client, django_user_model
):
    """No role may only view the register (staff.roles): a user given only the view permission
    stands for one. The page is read only, and names the entries as the form does."""
    viewer = django_user_model.objects.get(username="staff")
    viewer.user_permissions.add(
        Permission.objects.get(content_type__app_label="assessments", codename="view_dpia")
    )
    dpia = make_dpia(covers=(AUDIENCES, DROPPED))

    page = staff_client.get(change_url(dpia))

    assert page.status_code == 200 and not page.context["has_change_permission"]
    html = page.content.decode()
    audiences = escape(get_declaration().processing_entries()[AUDIENCES].name.en)
    assert (
        f"{audiences} (for clinics, as their processor)<br>{DROPPED} (no longer in the declaration)"
        in html
    )
    assert escape(json.dumps([AUDIENCES, DROPPED])) not in html
