"""The declaration's fixed vocabulary: the legal bases, roles, countries and limits an entry may use.

Each value is what the law or the policy allows, so a change here is a change of what the
declaration may say; the reasons are written next to each.
"""

from __future__ import annotations

import datetime

LANGUAGES = ("en", "nb")

# GDPR Art. 6(1): the letter is what the policy prints next to the basis.
LEGAL_BASES = {
    "consent": "a",
    "contract": "b",
    "legal_obligation": "c",
    "vital_interests": "d",
    "public_task": "e",
    "legitimate_interests": "f",
}

RECIPIENT_ROLES = {
    "processor",
    "independent_controller",
    "joint_controller",
    "adviser",
    "authority",
}
COOKIE_CATEGORIES = ("necessary", "analytics", "marketing", "embedded")
COOKIE_PARTIES = {"first", "third"}
# Where a browser can store something besides cookies (checklist CK-01: EDPB Guidelines 2/2023).
STORAGE_KINDS = ("local", "session", "indexeddb")
RETENTION_UNITS = {"days", "months", "years"}

# The EEA: the EU member states plus Iceland, Liechtenstein and Norway (GDPR applies directly).
EEA_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK "
    "IS LI NO".split()
)
# Countries with a general adequacy decision under Art. 45. The United States is adequate only
# for organisations certified under the EU-US Data Privacy Framework, so it is a safeguard apart.
ADEQUATE_COUNTRIES = frozenset("AD AR CA CH FO GB GG IL IM JE JP KR NZ UY".split())
TRANSFER_SAFEGUARDS = {"adequacy", "dpf", "scc"}
# The age from which a person may consent on their own (GDPR Art. 8(1)): Norway set 13
# (personopplysningsloven § 5); the GDPR lets a state go no lower than 13 and defaults to 16.
AGE_OF_CONSENT_RANGE = (13, 16)
# The least notice a significant change gets: its effective_date is at least this long after its
# date. WP260 rev.01 paras 29-32 ask that a fundamental change be told actively, on its own, and
# early enough for the person to understand it and act (object, withdraw consent, leave) before
# it applies; they name no number of days. Fourteen leaves time for the email to be retried
# through an outage, read after a week away, and answered through the privacy portal.
SIGNIFICANT_CHANGE_NOTICE = datetime.timedelta(days=14)

# A personal_data_fields entry for a field that holds nothing about a person.
NOT_PERSONAL = "none"

# GDPR Art. 9(1): the special categories of personal data. A marketing audience or an enquiry
# can reveal one without naming it (CJEU C-252/21: inferences from the sites a person visits).
SPECIAL_CATEGORIES = (
    "racial_or_ethnic_origin",
    "political_opinions",
    "religious_or_philosophical_beliefs",
    "trade_union_membership",
    "genetic",
    "biometric",
    "health",
    "sex_life_or_sexual_orientation",
)
# GDPR Art. 9(2)(a)-(j): the conditions under which special-category data may be processed at
# all; the letter is what the policy and the records print (declaration.citations).
ART9_CONDITIONS = {
    "explicit_consent": "a",
    "employment_and_social_protection": "b",
    "vital_interests": "c",
    "not_for_profit_body": "d",
    "made_public_by_the_subject": "e",
    "legal_claims": "f",
    "substantial_public_interest": "g",
    "health_or_social_care": "h",
    "public_health": "i",
    "archiving_research_statistics": "j",
}
# A DPIA's reference in the register (assessments.DPIA.reference): "DPIA-2026-02".
DPIA_REFERENCE_PATTERN = r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+"
