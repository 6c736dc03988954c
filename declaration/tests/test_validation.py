"""The declaration's validation (DEC-01): every kind of error is refused, naming its entry."""

import copy
import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from declaration.schema import (
    LEGAL_BASES,
    Declaration,
    DeclarationError,
    RetentionRule,
    Text,
    parse_declaration,
)

DECLARATION_FILE = Path(__file__).resolve().parents[1] / "declaration.yaml"
OSLO = ZoneInfo("Europe/Oslo")


@cache
def _real_data() -> dict:
    return yaml.safe_load(DECLARATION_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def data() -> dict:
    """The real declaration as loaded from YAML, ready to be broken in one place."""
    return copy.deepcopy(_real_data())


def refusal(data) -> DeclarationError:
    with pytest.raises(DeclarationError) as caught:
        parse_declaration(data)
    return caught.value


def assert_refused(data, expected: str) -> DeclarationError:
    """Parsing fails, with a problem that starts with `expected` (the entry, then what is wrong)."""
    error = refusal(data)
    assert any(problem.startswith(expected) for problem in error.problems), error.problems
    assert expected in str(error)
    return error


def cookie(data: dict, name: str) -> dict:
    return next(raw for raw in data["cookies"] if raw["name"] == name)


def test_dec_01_the_real_declaration_is_valid_and_its_references_resolve():
    declaration = parse_declaration(copy.deepcopy(_real_data()))

    assert declaration.activities
    for activity in declaration.activities.values():
        assert activity.legal_basis in LEGAL_BASES, activity.key
        assert activity.retention in declaration.retention_rules, activity.key
        assert activity.recipients, activity.key
        for recipient in activity.recipients:
            assert recipient in declaration.recipients, (activity.key, recipient)
    for cookie in declaration.cookies:
        assert cookie.activity in declaration.activities, cookie.name


def test_dec_01_missing_legal_basis_is_refused(data):
    del data["activities"]["newsletter"]["legal_basis"]
    assert_refused(data, "activities.newsletter: legal_basis is missing")


def test_dec_01_unknown_legal_basis_is_refused(data):
    data["activities"]["newsletter"]["legal_basis"] = "goodwill"
    assert_refused(data, "activities.newsletter: unknown legal_basis 'goodwill'")


def test_dec_01_legitimate_interests_without_the_interest_is_refused(data):
    del data["activities"]["website_security"]["legitimate_interest"]
    assert_refused(
        data, "activities.website_security: legitimate_interests needs the legitimate_interest"
    )


def test_dec_01_unknown_retention_rule_is_refused(data):
    data["activities"]["newsletter"]["retention"] = "forever"
    assert_refused(data, "activities.newsletter: unknown retention rule 'forever'")


def test_dec_01_unknown_recipient_is_refused(data):
    data["activities"]["newsletter"]["recipients"].append("mailchimp")
    assert_refused(data, "activities.newsletter: unknown recipient 'mailchimp'")


def test_dec_01_unknown_data_category_in_an_activity_is_refused(data):
    data["activities"]["newsletter"]["data_categories"]["health"] = {"en": "Health", "nb": "Helse"}
    assert_refused(data, "activities.newsletter: unknown data category 'health' in data_categories")


def test_dec_01_activity_listing_categories_without_what_it_collects_is_refused(data):
    # A bare list would print each category's generic examples for the activity (issue 16).
    data["activities"]["newsletter"]["data_categories"] = ["identity", "contact"]
    assert_refused(data, "activities.newsletter: data_categories must map each data category")


def test_dec_01_what_an_activity_collects_must_be_written_in_both_languages(data):
    data["activities"]["newsletter"]["data_categories"]["contact"] = {"en": "Email address"}
    assert_refused(data, "activities.newsletter.data_categories: contact has no text in nb")


@pytest.mark.parametrize("field", ["name", "legal_entity"])
def test_dec_02_recipient_name_and_legal_entity_need_both_languages(data, field):
    data["recipients"]["it_support"][field] = "IT support"
    assert_refused(data, f"recipients.it_support: {field} is missing or not a text in en and nb")


def test_dec_02_controller_address_needs_both_languages(data):
    data["controller"]["address"] = {"en": "Harbitzalléen 25, 0275 Oslo, Norway"}
    assert_refused(data, "controller: address has no text in nb")


def test_pt_05_dpf_without_the_certified_entity_is_refused(data):
    del data["recipients"]["google_analytics"]["dpf_entity"]
    assert_refused(data, "recipients.google_analytics: dpf needs dpf_entity")


def test_pt_05_dpf_entity_is_what_is_recorded_not_the_contracting_entity(data):
    recipient = parse_declaration(data).recipients["google_analytics"]
    assert recipient.legal_entity.en == "Google Ireland Limited"
    assert recipient.dpf_entity == "Google LLC"


def test_pt_05_dpf_entity_without_the_dpf_safeguard_is_refused(data):
    data["recipients"]["trafft"]["dpf_entity"] = "Trafft LLC"
    assert_refused(data, "recipients.trafft: dpf_entity is only for transfer_safeguard: dpf")


@pytest.mark.parametrize("age", [12, 17, "16", True, None])
def test_ch_01_age_of_consent_outside_13_to_16_is_refused(data, age):
    data["children"]["age_of_consent"] = age
    assert_refused(data, "children: age_of_consent must be a whole number from 13 to 16")


@pytest.mark.parametrize("age", [13, 16])
def test_ch_01_age_of_consent_from_13_to_16_is_accepted(data, age):
    data["children"]["age_of_consent"] = age
    assert parse_declaration(data).children.age_of_consent == age


def test_rt_07_retention_link_must_be_https(data):
    data["retention_rules"]["advertising_google_ads"]["link"] = "http://example.com"
    assert_refused(data, "retention_rules.advertising_google_ads: link must be an https://")


def test_dec_01_unknown_subject_category_is_refused(data):
    data["activities"]["newsletter"]["data_subjects"].append("patients")
    assert_refused(
        data, "activities.newsletter: unknown subject category 'patients' in data_subjects"
    )


def test_dec_01_processor_outside_the_eea_without_a_transfer_safeguard_is_refused(data):
    del data["recipients"]["trafft"]["transfer_safeguard"]
    error = assert_refused(data, "recipients.trafft: transfers outside the EEA (RS)")
    assert any("without a transfer_safeguard" in problem for problem in error.problems)


def test_dec_01_adequacy_for_a_country_without_an_adequacy_decision_is_refused(data):
    data["recipients"]["trafft"]["transfer_safeguard"] = "adequacy"
    assert_refused(
        data, "recipients.trafft: adequacy is claimed for RS, which has no adequacy decision"
    )


def test_dec_01_adequacy_for_an_adequate_country_is_accepted(data):
    data["recipients"]["trafft"]["countries"] = ["CH"]
    data["recipients"]["trafft"]["transfer_safeguard"] = "adequacy"
    assert parse_declaration(data).recipients["trafft"].transfer_safeguard == "adequacy"


def test_dec_01_data_privacy_framework_outside_the_united_states_is_refused(data):
    data["recipients"]["trafft"]["transfer_safeguard"] = "dpf"
    assert_refused(
        data, "recipients.trafft: the Data Privacy Framework covers the United States only, not RS"
    )


def test_dec_01_unknown_transfer_safeguard_is_refused(data):
    data["recipients"]["trafft"]["transfer_safeguard"] = "trust"
    assert_refused(data, "recipients.trafft: unknown transfer_safeguard 'trust'")


def test_dec_01_bare_yaml_no_as_a_country_is_refused_with_a_hint_to_quote_it(data):
    countries = yaml.safe_load("countries: [NO]")["countries"]
    assert countries == [False]  # what YAML 1.1 makes of Norway's code
    data["recipients"]["it_support"]["countries"] = countries
    error = assert_refused(
        data, "recipients.it_support: country False is not a two-letter ISO code"
    )
    assert 'write "NO" in quotes' in str(error)


def test_dec_01_text_missing_its_norwegian_translation_is_refused(data):
    del data["activities"]["newsletter"]["purpose"]["nb"]
    assert_refused(data, "activities.newsletter: purpose has no text in nb")


def test_dec_01_cookie_with_an_unknown_category_is_refused(data):
    cookie(data, "csrftoken")["category"] = "functional"
    assert_refused(data, "cookies.csrftoken: category must be one of")


def test_dec_01_cookie_pointing_at_an_unknown_activity_is_refused(data):
    cookie(data, "_ga")["activity"] = "tracking"
    assert_refused(data, "cookies._ga: unknown activity 'tracking'")


def test_dec_01_cookie_declared_twice_is_refused(data):
    data["cookies"].append(copy.deepcopy(cookie(data, "wekst_consent")))
    assert_refused(data, "cookies.wekst_consent: is declared twice")


def test_dec_01_versions_not_newest_first_are_refused(data):
    data["versions"].reverse()
    assert_refused(data, "versions: must be listed newest first")


def test_dec_01_personal_data_field_with_an_unknown_category_is_refused(data):
    data["personal_data_fields"]["auth.User"]["email"] = "email_address"
    assert_refused(
        data, "personal_data_fields.auth.User: email: unknown data category 'email_address'"
    )


def test_dec_01_a_root_that_is_not_a_mapping_is_refused():
    assert_refused(["controller", "activities"], "declaration: must be a mapping")


def test_dec_01_every_problem_is_reported_not_just_the_first(data):
    del data["activities"]["newsletter"]["legal_basis"]
    del data["recipients"]["trafft"]["transfer_safeguard"]
    cookie(data, "_ga")["activity"] = "tracking"

    error = refusal(data)

    assert len(error.problems) == 3, error.problems
    for entry in ("activities.newsletter:", "recipients.trafft:", "cookies._ga:"):
        assert any(problem.startswith(entry) for problem in error.problems), entry


def rule(period: int | None, unit: str | None) -> RetentionRule:
    return RetentionRule(
        key="test", period=period, unit=unit, counts_from="collection", description=Text("", "")
    )


@pytest.mark.parametrize(
    ("period", "unit", "start", "expected"),
    [
        (7, "days", datetime.datetime(2026, 3, 27, 10, 0), datetime.datetime(2026, 4, 3, 10, 0)),
        (90, "days", datetime.datetime(2026, 1, 1), datetime.datetime(2026, 4, 1)),
        (
            24,
            "months",
            datetime.datetime(2026, 5, 15, 9, 30),
            datetime.datetime(2028, 5, 15, 9, 30),
        ),
        (1, "months", datetime.datetime(2026, 12, 15), datetime.datetime(2027, 1, 15)),
        # A month later than 31 January is the last day of February, in common and leap years.
        (1, "months", datetime.datetime(2027, 1, 31), datetime.datetime(2027, 2, 28)),
        (1, "months", datetime.datetime(2028, 1, 31), datetime.datetime(2028, 2, 29)),
        (42, "months", datetime.datetime(2026, 12, 31), datetime.datetime(2030, 6, 30)),
        (5, "years", datetime.datetime(2026, 12, 31), datetime.datetime(2031, 12, 31)),
        (1, "years", datetime.datetime(2028, 2, 29), datetime.datetime(2029, 2, 28)),
    ],
)
def test_retention_rule_expires_after_its_period(period, unit, start, expected):
    assert rule(period, unit).expires_after(start.replace(tzinfo=OSLO)) == expected.replace(
        tzinfo=OSLO
    )


def test_retention_rule_without_a_period_never_expires_by_time():
    assert rule(None, None).expires_after(datetime.datetime(2026, 1, 1, tzinfo=OSLO)) is None


def parse_with_versions(data: dict, *cookies_changed: bool) -> Declaration:
    """The declaration with one version per flag, newest first, each flagging a cookie change."""
    template = data["versions"][0]
    data["versions"] = [
        {
            **copy.deepcopy(template),
            "version": f"v{len(cookies_changed) - index}",
            "date": datetime.date(2030 - index, 1, 1),
            "effective_date": datetime.date(2030 - index, 2, 1),
            "cookies_changed": changed,
        }
        for index, changed in enumerate(cookies_changed)
    ]
    return parse_declaration(data)


def test_cookie_version_is_the_newest_version_that_changed_cookies(data):
    declaration = parse_with_versions(data, False, True, True)
    assert declaration.current.version == "v3"
    assert declaration.cookie_version.version == "v2"


def test_cookie_version_falls_back_to_the_first_version_when_none_changed_cookies(data):
    declaration = parse_with_versions(data, False, False)
    assert declaration.cookie_version.version == "v1"
