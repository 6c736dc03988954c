"""What the published policy pages print, resolved from the declaration's keys.

The views render these; the records of processing (records.py) share the names, so the policy and
the records can never describe the same safeguard or legal basis in different words.
"""

from dataclasses import dataclass

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from declaration.citations import Citation, cite
from declaration.schema import (
    COOKIE_CATEGORIES,
    EEA_COUNTRIES,
    Activity,
    DataCategory,
    Declaration,
    Recipient,
    RetentionRule,
    SpecialCategories,
    SubjectCategory,
    Text,
)

# What the policy prints for the declaration's keys (GDPR Art. 6(1); Art. 45-46).
LEGAL_BASIS_NAMES = {
    "consent": _("Your consent"),
    "contract": _("Performance of a contract, or steps at your request before entering into one"),
    "legal_obligation": _("A legal obligation we are subject to"),
    "vital_interests": _("Protecting someone's vital interests"),
    "public_task": _("A task carried out in the public interest"),
    "legitimate_interests": _("Our legitimate interests"),
}

# The special categories of GDPR Art. 9(1), and the conditions of Art. 9(2) (CL-06).
SPECIAL_CATEGORY_NAMES = {
    "racial_or_ethnic_origin": _("Racial or ethnic origin"),
    "political_opinions": _("Political opinions"),
    "religious_or_philosophical_beliefs": _("Religious or philosophical beliefs"),
    "trade_union_membership": _("Trade union membership"),
    "genetic": _("Genetic data"),
    "biometric": _("Biometric data identifying a person"),
    "health": _("Data concerning health"),
    "sex_life_or_sexual_orientation": _("Sex life or sexual orientation"),
}
ART9_CONDITION_NAMES = {
    "explicit_consent": _("Explicit consent of the person concerned"),
    "employment_and_social_protection": _("Obligations in employment and social protection law"),
    "vital_interests": _("Vital interests of a person unable to consent"),
    "not_for_profit_body": _("Activities of a not-for-profit body, for its members"),
    "made_public_by_the_subject": _("Data the person has manifestly made public"),
    "legal_claims": _("Establishing, exercising or defending legal claims"),
    "substantial_public_interest": _("Substantial public interest, on the basis of law"),
    "health_or_social_care": _("Health or social care, by professionals under confidentiality"),
    "public_health": _("Public interest in public health"),
    "archiving_research_statistics": _("Archiving, research or statistics"),
}


@dataclass(frozen=True)
class SpecialEntry:
    """What the policy prints for an entry that can reveal a special category (CL-06)."""

    # Lazy translations: a document rendered in another language than the active one (the
    # archive, published from a command) still prints them in its own (issue 16).
    categories: list
    condition: object
    article: Citation
    dpia: str


def special_entry(special: SpecialCategories) -> SpecialEntry | None:
    if not special.categories:
        return None
    return SpecialEntry(
        categories=[SPECIAL_CATEGORY_NAMES[c] for c in special.categories],
        condition=ART9_CONDITION_NAMES[special.condition],
        article=special.condition_article,
        dpia=special.dpia,
    )


def special_categories_description(special: SpecialCategories) -> str:
    """One line for the records of processing: the categories, the Art. 9(2) condition with its
    article, and the DPIA; "-" when the processing reveals no special category."""
    if not special.categories:
        return "-"
    names = ", ".join(str(SPECIAL_CATEGORY_NAMES[c]) for c in special.categories)
    condition = f"{ART9_CONDITION_NAMES[special.condition]} ({special.condition_article})"
    return f"{names}; {condition}; {gettext('DPIA')} {special.dpia}"


@dataclass(frozen=True)
class Safeguard:
    """A transfer safeguard's name and its article, e.g. "... (GDPR Art. 46(2)(c))"."""

    name: object  # a lazy translation
    article: Citation

    def __str__(self) -> str:
        return f"{self.name} ({gettext('GDPR')} {self.article})"


SAFEGUARD_NAMES = {
    "adequacy": Safeguard(_("An adequacy decision of the European Commission"), cite(45)),
    "dpf": Safeguard(
        _(
            "The EU-US Data Privacy Framework: the recipient's certification under the European "
            "Commission's adequacy decision of 10 July 2023"
        ),
        cite(45),
    ),
    "scc": Safeguard(_("The European Commission's Standard Contractual Clauses"), cite(46, 2, "c")),
}
DPF_CERTIFIED = pgettext_lazy(
    "transfer safeguard",
    "The EU-US Data Privacy Framework: %(entity)s is certified under the European Commission's "
    "adequacy decision of 10 July 2023",
)


def safeguard_description(recipient: Recipient) -> str:
    """The safeguard of a recipient's transfers, naming the certified entity for the DPF (PT-05)."""
    key = recipient.transfer_safeguard or ""
    if key == "dpf" and recipient.dpf_entity:
        name = DPF_CERTIFIED % {"entity": recipient.dpf_entity}
        return f"{name} ({gettext('GDPR')} {SAFEGUARD_NAMES['dpf'].article})"
    return str(SAFEGUARD_NAMES[key]) if key in SAFEGUARD_NAMES else ""


# Recipient roles as the records of processing print them.
ROLE_NAMES = {
    "processor": _("Processor"),
    "joint_controller": _("Joint controller"),
    "independent_controller": _("Independent controller"),
    "adviser": _("Professional adviser"),
    "authority": _("Public authority"),
}
# Recipient roles in the order §5 of the policy lists them.
ROLE_ORDER = ("processor", "joint_controller", "independent_controller", "adviser", "authority")
# Names of the countries the declaration uses, translated; the declaration is refused at start-up
# when a recipient names a country missing here (declaration.checks), so no page prints a bare code.
COUNTRY_NAMES = {
    "DE": _("Germany"),
    "FI": _("Finland"),
    "FR": _("France"),
    "IE": _("Ireland"),
    "NO": _("Norway"),
    "RS": _("Serbia"),
    "US": _("United States"),
}


@dataclass(frozen=True)
class ActivityEntry:
    """One activity with its keys resolved, as §3 and §4 of the policy print it."""

    activity: Activity
    basis_name: str
    data_categories: list[DataCategory]
    # (category, what this activity collects in it): the activity's own list (issue 16).
    data_collected: list[tuple[DataCategory, Text]]
    data_subjects: list[SubjectCategory]
    recipients: list[Recipient]
    retention: RetentionRule
    special: SpecialEntry | None = None


@dataclass(frozen=True)
class RecipientEntry:
    """One recipient with its keys resolved, as §5 and §6 of the policy print it."""

    recipient: Recipient
    data_categories: list[DataCategory]
    countries: list[str]
    countries_outside_eea: list[str]
    safeguard_name: str


def country_names(codes) -> list[str]:
    """The countries' names in the active language."""
    return [str(COUNTRY_NAMES.get(code, code)) for code in codes]


def _activity_entries(declaration: Declaration) -> list[ActivityEntry]:
    return [
        ActivityEntry(
            activity=activity,
            basis_name=LEGAL_BASIS_NAMES[activity.legal_basis],
            data_categories=[declaration.data_categories[k] for k in activity.data_categories],
            data_collected=[
                (declaration.data_categories[k], text)
                for k, text in activity.data_collected.items()
            ],
            data_subjects=[declaration.subject_categories[k] for k in activity.data_subjects],
            recipients=declaration.recipients_of(activity),
            retention=declaration.retention_rules[activity.retention],
            special=special_entry(activity.special),
        )
        for activity in declaration.activities.values()
    ]


def _recipient_entry(declaration: Declaration, recipient: Recipient) -> RecipientEntry:
    return RecipientEntry(
        recipient=recipient,
        data_categories=[declaration.data_categories[k] for k in recipient.data_categories],
        countries=country_names(recipient.countries),
        countries_outside_eea=country_names(
            c for c in recipient.countries if c not in EEA_COUNTRIES
        ),
        safeguard_name=safeguard_description(recipient),
    )


def _retention_entries(declaration: Declaration) -> list[tuple[RetentionRule, list[Activity]]]:
    """Every retention rule with the activities kept under it (§7)."""
    return [
        (rule, [a for a in declaration.activities.values() if a.retention == rule.key])
        for rule in declaration.retention_rules.values()
    ]


def privacy_policy_context(declaration: Declaration) -> dict:
    activities = _activity_entries(declaration)
    recipients = [_recipient_entry(declaration, r) for r in declaration.recipients.values()]
    recipients_by_role = [
        (role, [entry for entry in recipients if entry.recipient.role == role])
        for role in ROLE_ORDER
    ]
    return {
        "declaration": declaration,
        "activities": activities,
        "subject_categories": declaration.subject_categories.values(),
        "recipients_by_role": [(role, group) for role, group in recipients_by_role if group],
        "transfers": [e for e in recipients if e.recipient.transfers_outside_eea],
        "retention_rules": _retention_entries(declaration),
        "objectionable_activities": [
            a for a in declaration.activities.values() if a.legal_basis == "legitimate_interests"
        ],
        # §2: what Wekst does for clinics, with the special categories, condition and DPIA.
        "clinic_processing": [
            (processing, special_entry(processing.special))
            for processing in declaration.clinic_processing.values()
        ],
        # Art. 13(2)(f): every activity the declaration marks as profiling is explained in §10.
        "profiling_activities": [e for e in activities if e.activity.profiling],
        # TP-07: every audience segment of our own marketing, with its data, consent, platforms.
        "segments": [
            (
                segment,
                declaration.activities[segment.activity],
                [declaration.recipients[key] for key in segment.platforms],
            )
            for segment in declaration.segments.values()
        ],
    }


def cookie_policy_context(declaration: Declaration) -> dict:
    analytics_rules = {
        declaration.activities[cookie.activity].retention
        for cookie in declaration.cookies_in("analytics")
    }
    return {
        "declaration": declaration,
        "cookie_categories": [
            (category, declaration.cookies_in(category)) for category in COOKIE_CATEGORIES
        ],
        # The period analytics data is kept, stated rather than "per the provider's settings"
        # (legal checklist CK-12).
        "analytics_retention_rules": [
            rule for key, rule in declaration.retention_rules.items() if key in analytics_rules
        ],
    }
