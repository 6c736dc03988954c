"""The facts the generated pages state (issue 16, "Facts right"): each page says only what is true,
in the reader's language, with its dates and article citations written that language's way.

Expectations come from the declaration, so they follow it; where a fact is checked against the law
(bokføringsloven § 13, the DPF List, Google's role), the test names the source.
"""

import dataclasses
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import formats, translation

from declaration.citations import cite
from declaration.policy import COUNTRY_NAMES, safeguard_description
from declaration.records import build_records
from declaration.selectors import get_declaration
from declaration.tests.language import declared_texts
from declaration.tests.test_pages import parse, policy_url, squash

EN_MONTHS = (
    "January February March April May June July August September October November December".split()
)
NB_MONTHS = "januar februar mars april mai juni juli august september oktober november desember"
NB_MONTHS = NB_MONTHS.split()


def english_only_texts() -> set[str]:
    """The English of each declared text whose Norwegian differs: it must not be on an /nb/ page."""
    return {squash(text.en) for text in declared_texts(get_declaration()) if text.en != text.nb}


def english_country_names() -> set[str]:
    names = set()
    for name in COUNTRY_NAMES.values():
        with translation.override("en"):
            english = str(name)
        with translation.override("nb"):
            if str(name) != english:
                names.add(english)
    return names


def nb_pages(client, staff_client) -> dict[str, str]:
    """The visible text of every page generated from the declaration, in Norwegian."""
    pages = {
        name: parse(client.get(policy_url(name, "nb"))).find(tag="main").text()
        for name in ("privacy_policy", "cookie_policy")
    }
    with translation.override("nb"):
        subprocessors = reverse("processors_public:subprocessors")
    pages["subprocessors"] = parse(client.get(subprocessors)).find(tag="main").text()
    # The back office is unprefixed, so always in the default language; its records are built
    # per language (the CSV export takes one), and the Norwegian build is what is checked.
    assert staff_client.get(reverse("declaration_admin:records")).status_code == 200
    records = build_records(get_declaration(), "nb")
    pages["records_of_processing"] = squash(" | ".join(c for r in records for c in r.cells))
    return pages


# --- DEC-02: the Norwegian pages are entirely Norwegian -----------------------------------------


@pytest.mark.django_db
def test_dec_02_nb_pages_are_entirely_norwegian(client, staff_client):
    english = english_only_texts()
    countries = english_country_names()
    assert "Norway" in countries and "Accountants, auditors and lawyers" in english
    for page, text in nb_pages(client, staff_client).items():
        leaked = sorted(e for e in english if re.search(rf"(?<!\w){re.escape(e)}(?!\w)", text))
        assert not leaked, f"/nb/ {page} shows declared English text: {leaked}"
        # A company's registered name is not a country name ("Google Ireland Limited").
        for recipient in get_declaration().recipients.values():
            text = text.replace(squash(recipient.legal_entity.nb), "")
        named = sorted(c for c in countries if re.search(rf"(?<!\w){re.escape(c)}(?!\w)", text))
        assert not named, f"/nb/ {page} names countries in English: {named}"


@pytest.mark.django_db
def test_dec_02_nb_pages_show_every_recipient_name_and_entity_in_norwegian(client, staff_client):
    declaration = get_declaration()
    policy = nb_pages(client, staff_client)["privacy_policy"]
    for recipient in declaration.recipients.values():
        assert squash(recipient.name.nb) in policy, recipient.key
        assert squash(recipient.legal_entity.nb) in policy, recipient.key
    for expected in ("IT-støtte", "drevet fra Serbia", "Regnskapsførere, revisorer og advokater"):
        assert expected in policy
    assert "Harbitzalléen 25, 0275 Oslo, Norge" in policy
    for english in ("IT support", "operated from Serbia", "Tax authorities, police", "Norway"):
        assert english not in policy


def test_dec_02_an_english_text_on_an_nb_page_is_caught(client):
    # The check above can fail: the English address, were it shown, would be found.
    english = english_only_texts()
    assert squash(get_declaration().controller.address.en) in english
    assert squash(get_declaration().controller.address.en) in squash(
        parse(client.get(policy_url("privacy_policy", "en"))).find(tag="main").text()
    )


# --- dates in each language's own format ---------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "nb"])
def test_dec_02_dates_are_written_in_the_languages_own_format(client, language):
    declaration = get_declaration()
    text = parse(client.get(policy_url("privacy_policy", language))).find(tag="main").text()
    for version in declaration.versions:
        day = version.date
        if language == "nb":
            expected = f"{day.day}. {NB_MONTHS[day.month - 1]} {day.year}"
        else:
            expected = f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"
        assert expected in text
    # Never the US style Django uses for English by default ("Nov. 26, 2026").
    assert not re.search(r"\b[A-Z][a-z]{2}\.? \d{1,2}, \d{4}\b", text)
    cookie_page = parse(client.get(policy_url("cookie_policy", language))).find(tag="main").text()
    assert localised(declaration.current.date, language) in cookie_page


def localised(day: datetime.date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


def test_dec_02_date_formats_of_every_public_page_follow_the_language():
    day = datetime.date(2031, 3, 9)
    moment = datetime.datetime(2031, 3, 9, 14, 5)
    assert localised(day, "en") == "9 March 2031"
    assert localised(day, "nb") == "9. mars 2031"
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "9 March 2031, 14:05"
    with translation.override("nb"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "9. mars 2031 14:05"


# --- article citations, one style per language ---------------------------------------------------


def test_dec_02_citations_are_written_the_way_each_language_writes_them():
    assert cite(6, 1, "b").in_language("en") == "Art. 6(1)(b)"
    assert cite(6, 1, "b").in_language("nb") == "art. 6 nr. 1 bokstav b"
    assert cite(46, 2, "c").in_language("nb") == "art. 46 nr. 2 bokstav c"
    assert cite(45).in_language("en") == "Art. 45"
    with translation.override("nb"):
        assert str(cite(28)) == "art. 28"


ENGLISH_CITATION = re.compile(r"\bArt\. \d+\(\d+\)")
NORWEGIAN_CITATION = re.compile(r"\bart\. \d+ nr\. \d+")


@pytest.mark.parametrize("name", ["privacy_policy", "cookie_policy"])
def test_dec_02_pages_cite_articles_in_one_style_per_language(client, name):
    english = parse(client.get(policy_url(name, "en"))).find(tag="main").text()
    norwegian = parse(client.get(policy_url(name, "nb"))).find(tag="main").text()
    assert not NORWEGIAN_CITATION.search(english), NORWEGIAN_CITATION.findall(english)
    assert not ENGLISH_CITATION.search(norwegian), ENGLISH_CITATION.findall(norwegian)
    if name == "privacy_policy":
        assert "Art. 6(1)(b)" in english and "art. 6 nr. 1 bokstav b" in norwegian
        assert "art. 46 nr. 2 bokstav c" in norwegian


# --- the facts themselves -----------------------------------------------------------------------


def test_ck_16_no_activity_that_sends_the_full_ip_to_google_says_it_is_truncated():
    # GA4, Google Ads, YouTube and Maps receive the browser's full IP address (checklist N5).
    declaration = get_declaration()
    for key in ("analytics", "advertising", "embedded_content"):
        activity = declaration.activities[key]
        collected = activity.data_collected["online_identifier"]
        assert "truncated" not in collected.en.lower() and "avkortet" not in collected.nb.lower()
        assert "full IP address" in collected.en
    category = declaration.data_categories["online_identifier"]
    assert "truncated" not in category.examples.en.lower()


def test_dec_02_the_newsletter_lists_only_what_its_sign_up_collects(client):
    section = parse(client.get(policy_url("privacy_policy", "en"))).find(id="activity-newsletter")
    text = section.text()
    assert "Email address" in text
    for absent in ("phone", "username", "Phone number", "Username"):
        assert absent not in text


def test_pt_07_google_ads_keeps_its_own_rule_not_ga4s_14_months(client):
    declaration = get_declaration()
    advertising = declaration.activities["advertising"]
    rule = declaration.retention_rules[advertising.retention]
    assert advertising.retention != declaration.activities["analytics"].retention
    assert "14 months" not in rule.description.en
    assert "_gcl_au" in rule.description.en and "independent controller" in rule.description.en
    assert rule.link and rule.link.startswith("https://policies.google.com/")
    section = parse(client.get(policy_url("privacy_policy", "en"))).find(id="activity-advertising")
    assert section.find(tag="a", href=rule.link)


def test_pt_07_embedded_media_keep_nothing_here_and_the_choice_under_the_consent_log(client):
    declaration = get_declaration()
    embedded = declaration.activities["embedded_content"]
    assert embedded.retention not in ("consent_log", "analytics_ga4")
    rule = declaration.retention_rules[embedded.retention]
    assert rule.period is None
    assert "We keep nothing" in rule.description.en and "36 months" in rule.description.en
    consent_log = declaration.retention_rules["consent_log"]
    assert consent_log.period == 36 and consent_log.unit == "months"


def test_rt_03_contracts_are_secondary_accounting_material_under_bfl_13_second_paragraph():
    declaration = get_declaration()
    primary = declaration.retention_rules["accounting_primary"]
    secondary = declaration.retention_rules["accounting_secondary"]
    # bokføringsloven § 13 first paragraph nr. 1-4: 5 years; second paragraph: 3 years 6 months.
    assert (primary.period, primary.unit) == (5, "years")
    assert (secondary.period, secondary.unit) == (42, "months")
    assert "first paragraph" in primary.description.en and "første ledd" in primary.description.nb
    assert "invoices" in primary.description.en
    assert "agreement" not in primary.description.en and "avtale" not in primary.description.nb
    assert "agreements of importance" in secondary.description.en
    assert "annet ledd" in secondary.description.nb
    for key in ("accounting_primary", "accounting_secondary"):
        assert declaration.retention_rules[key].counts_from == "end_of_accounting_year"


@pytest.mark.parametrize("language", ["en", "nb"])
def test_pt_05_the_dpf_safeguard_names_the_certified_entity_google_llc(client, language):
    declaration = get_declaration()
    text = parse(client.get(policy_url("privacy_policy", language))).find(id="transfers").text()
    for recipient in declaration.recipients.values():
        if recipient.transfer_safeguard != "dpf":
            continue
        assert recipient.legal_entity.en == "Google Ireland Limited"
        assert recipient.dpf_entity == "Google LLC"
        with translation.override(language):
            description = safeguard_description(recipient)
        assert "Google LLC" in description and squash(description) in text
    assert "Google Ireland Limited is certified" not in text


def test_rp_03_consent_proof_and_staff_accounts_rest_on_legitimate_interests_not_6_1_c():
    # Art. 7(1)/5(2) and Art. 32 lay down no obligation to process particular data (Art. 6(3)):
    # the reasons are in declaration.yaml next to each basis.
    declaration = get_declaration()
    for key in ("consent_records", "staff_accounts"):
        activity = declaration.activities[key]
        assert activity.legal_basis == "legitimate_interests", key
        assert activity.legitimate_interest is not None
    assert "Art. 32" in declaration.activities["staff_accounts"].legitimate_interest.en
    assert "Art. 7(1)" in declaration.activities["consent_records"].legitimate_interest.en


def test_dec_02_a_recipient_country_without_a_translated_name_fails_the_check():
    from declaration.checks import check_country_names

    assert check_country_names() == []
    declared = get_declaration()
    trafft = dataclasses.replace(declared.recipients["trafft"], countries=("BR",))
    changed = dataclasses.replace(declared, recipients={**declared.recipients, "trafft": trafft})
    [error] = check_country_names(declaration=changed)
    assert error.id == "declaration.E003" and "'BR'" in error.msg
