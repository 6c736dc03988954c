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
