"""CL-01: a clinic's agreement records each term of Art. 28(3)(a)-(h) with the clause of the signed
document that holds it, beside its documented instructions; an agreement missing any term is not
current, and no work is done for the clinic under it."""

import pytest

from clinics.models import ARTICLE_28_TERMS
from clinics.selectors import accepts_work, current_agreement
from clinics.tests.factories import make_clinic

pytestmark = pytest.mark.django_db

URL = "/clinics/tannlege-nord/contact/"


def test_cl_01_an_agreement_with_every_term_recorded_is_current_and_the_form_opens(client):
    clinic = make_clinic()

    agreement = current_agreement(clinic)
    assert agreement is not None and agreement.missing_article_28_terms() == []
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("letter", [letter for letter, _label in ARTICLE_28_TERMS])
def test_cl_01_an_agreement_missing_any_one_term_blocks_work_for_the_clinic(client, letter):
    clinic = make_clinic()
    agreement = clinic.agreements.get()
    setattr(agreement, f"clause_{letter}", "")
    agreement.save()

    assert agreement.missing_article_28_terms() == [letter]
    assert current_agreement(clinic) is None
    assert not accepts_work(clinic)
    assert client.get(URL).status_code == 404


def test_cl_01_the_clinic_page_shows_the_terms_as_a_checklist_with_their_clauses(admin_client):
    clinic = make_clinic()
    agreement = clinic.agreements.get()
    agreement.clause_g, agreement.clause_c = "", "Annex 2, § 4"
    agreement.save()

    html = admin_client.get(f"/admin/clinics/clinic/{clinic.pk}/change/").content.decode()

    assert "Art. 28(3)(a)-(h), term by term" in html
    assert "Annex 2, § 4" in html
    assert (
        "✘ (g) deletes or returns all the data at the end, at the clinic&#x27;s choice: missing"
        in html
    )
    assert html.count("✔") == 7
    assert "No work is done for this clinic" in html
