"""The clinic enquiry form's notice (Art. 13 for the clinic's processing): the clinic's own
purposes, legal basis and retention as controller, from its agreement, and Wekst only as its
processor; never Wekst's own legal basis or retention rule (issue 16; checklist CL-01, CL-02)."""

import datetime
import html

import pytest
import time_machine
from django.core.cache import cache

from clinics.tests.factories import make_clinic
from clinics.views import CLINIC_NOTICE_ID
from declaration.selectors import get_declaration

pytestmark = pytest.mark.django_db

URL = "/clinics/tannlege-nord/contact/"


@pytest.fixture(autouse=True)
def during_the_engagement():
    # The factory's agreement and engagement start on 1 Jan 2026; stand a while after that.
    cache.clear()
    with time_machine.travel(datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)):
        yield
    cache.clear()


def notice(client, prefix: str = "") -> str:
    html = client.get(prefix + URL).content.decode()
    start = html.index(f'id="{CLINIC_NOTICE_ID}"')
    return html[start : html.index("</aside>", start)]


@pytest.mark.parametrize("prefix", ["", "/nb"])
def test_cl_01_clinic_form_shows_the_clinics_purposes_and_retention_as_controller(client, prefix):
    clinic = make_clinic(retention_months=18)
    agreement = clinic.agreements.get()

    text = notice(client, prefix)

    assert "<strong>Tannlege Nord AS</strong>" in text
    assert agreement.purposes in text
    assert "18" in text


def test_cl_01_clinic_form_shows_wekst_only_as_the_clinics_processor(client):
    make_clinic(retention_months=18)
    enquiries = get_declaration().activities["enquiries"]
    wekst_rule = get_declaration().retention_rules[enquiries.retention]

    text = notice(client)

    assert "data processor (GDPR Art. 28)" in text
    assert "never use it for our own purposes" in text
    # Not Wekst's own basis or its 24-month rule for its own enquiries.
    assert enquiries.legal_basis_article.in_language("en") not in text
    assert "Legal basis" not in text
    assert wekst_rule.description.en.split(",")[0] not in text
    assert "24 months" not in text
    assert "Harwest AS" not in text


def test_cl_01_clinic_form_in_norwegian_cites_article_28_the_norwegian_way(client):
    make_clinic(retention_months=18)

    text = notice(client, "/nb")

    assert "databehandler" in text and "art. 28" in text
    assert "Art. 28" not in text and "24 måneder" not in text


def test_cl_01_the_clinics_retention_follows_its_agreement(client):
    make_clinic(retention_months=7)

    text = notice(client)

    assert "7 months after the last contact" in text


# The clinic's own Art. 6(1) basis, from its agreement (CL-01: the clinic's documented instructions).


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", "Tannlege Nord AS's legal basis for using it: your consent (GDPR Art. 6(1)(a))."),
        ("/nb", "samtykket ditt (personvernforordningen art. 6 nr. 1 bokstav a)"),
    ],
)
def test_cl_01_clinic_form_shows_the_clinics_own_legal_basis(client, prefix, expected):
    make_clinic(legal_basis="consent")

    assert expected in notice(client, prefix)


def test_cl_01_the_basis_shown_is_the_clinics_not_wekst_s_own(client):
    wekst_basis = get_declaration().activities["enquiries"].legal_basis_article.in_language("en")
    make_clinic(legal_basis="legitimate_interests")

    text = html.unescape(notice(client))

    assert "the clinic's legitimate interests (GDPR Art. 6(1)(f))" in text
    assert wekst_basis != "Art. 6(1)(f)" and wekst_basis not in text


def test_cl_01_an_agreement_without_a_recorded_basis_shows_none(client):
    make_clinic(legal_basis="")

    text = notice(client)

    assert "legal basis" not in text and "Art. 6(" not in text
