"""The declaration's entries as frozen objects: what the policy pages and the records read.

The published policy, the cookie policy and the records of processing (GDPR Art. 30) print these,
never the raw YAML; parse.py builds them only from a declaration that passed every check.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import get_language

from declaration.citations import Citation, cite
from declaration.schema.vocabulary import ART9_CONDITIONS, EEA_COUNTRIES, LEGAL_BASES

if TYPE_CHECKING:
    from declaration.schema.segments import Segment


class DeclarationError(ValueError):
    """The declaration is invalid; the message lists every problem, each naming its entry."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The declaration of processing is invalid:\n- " + "\n- ".join(problems))


@dataclass(frozen=True)
class Text:
    """A text in every site language; prints in the active one."""

    en: str
    nb: str

    def __str__(self) -> str:
        return self.in_language(get_language() or "en")

    def in_language(self, language: str) -> str:
        return self.nb if language.lower().startswith("nb") else self.en


@dataclass(frozen=True)
class Controller:
    legal_name: str
    trading_name: str
    org_number: str
    address: Text  # the country is written in each language ("Norway", "Norge")
    email: str
    website: str


@dataclass(frozen=True)
class Authority:
    name: str
    website: str
    address: Text


@dataclass(frozen=True)
class Children:
    """Policy §12: the age below which no consent-based sign-up is accepted (checklist CH-01)."""

    age_of_consent: int


@dataclass(frozen=True)
class DataCategory:
    key: str
    name: Text
    examples: Text


@dataclass(frozen=True)
class SubjectCategory:
    key: str
    name: Text


@dataclass(frozen=True)
class RetentionRule:
    """How long data kept under an activity lives; `period` None means until `counts_from`."""

    key: str
    period: int | None
    unit: str | None
    counts_from: str
    description: Text
    # Where someone else's own retention is published (an independent controller's policy).
    link: str | None = None

    def expires_after(self, start: datetime.datetime) -> datetime.datetime | None:
        """When data whose clock started at `start` is due for erasure (None: no fixed period)."""
        if self.period is None:
            return None
        if self.unit == "days":
            return start + datetime.timedelta(days=self.period)
        months = self.period * (12 if self.unit == "years" else 1)
        year, month = divmod(start.month - 1 + months, 12)
        day = min(start.day, _days_in_month(start.year + year, month + 1))
        return start.replace(year=start.year + year, month=month + 1, day=day)


def _days_in_month(year: int, month: int) -> int:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


@dataclass(frozen=True)
class Recipient:
    """Someone personal data is disclosed to: a processor, an independent controller, …"""

    key: str
    # Both shown to people, so both in every language ("IT support", "IT-støtte").
    name: Text
    legal_entity: Text
    role: str
    service: Text
    data_categories: tuple[str, ...]
    countries: tuple[str, ...]
    transfer_safeguard: str | None
    dpa_required: bool
    # The organisation on the Data Privacy Framework List; with `dpf` it may differ from
    # `legal_entity` (Google Ireland contracts, Google LLC is the certified entity; PT-05).
    dpf_entity: str | None = None
    # The hosts a visitor's browser contacts for this recipient, loaded only after consent to
    # `consent_category`; and the hosts our server calls (processors.connectors.send). DEC-07:
    # a request to any other host fails the crawl, or is refused by the server.
    browser_hosts: tuple[str, ...] = ()
    consent_category: str | None = None
    server_hosts: tuple[str, ...] = ()

    @property
    def transfers_outside_eea(self) -> bool:
        return any(country not in EEA_COUNTRIES for country in self.countries)


@dataclass(frozen=True)
class SpecialCategories:
    """The special categories of data (GDPR Art. 9(1)) a processing can reveal, the Art. 9(2)
    condition that lifts the prohibition, and the DPIA (Art. 35) that assessed it (CL-06).

    Empty `categories`: the processing reveals none, and names neither condition nor DPIA.
    """

    categories: tuple[str, ...] = ()
    condition: str = ""
    dpia: str = ""

    @property
    def condition_article(self) -> Citation:
        """Art. 9(2)(x), written in the active language."""
        return cite(9, 2, ART9_CONDITIONS[self.condition])


@dataclass(frozen=True)
class Activity:
    """One processing activity: a purpose with its legal basis, data, subjects, retention, recipients."""

    key: str
    name: Text
    purpose: Text
    legal_basis: str
    legitimate_interest: Text | None
    data_categories: tuple[str, ...]
    # What this activity itself collects in each category, not the category's generic examples.
    data_collected: dict[str, Text]
    data_subjects: tuple[str, ...]
    retention: str
    recipients: tuple[str, ...]
    source: Text
    required: Text
    # Marketing profiling (Art. 13(2)(f), 21(2)): explained in §10; never applied to a restricted
    # or objecting subject.
    profiling: bool
    special: SpecialCategories = SpecialCategories()

    @property
    def legal_basis_article(self) -> Citation:
        """Art. 6(1)(x), written in the active language (declaration.citations)."""
        return cite(6, 1, LEGAL_BASES[self.legal_basis])


@dataclass(frozen=True)
class ClinicProcessing:
    """A kind of processing Wekst carries out for clinics, as their processor (Art. 30(2)(b)).

    The clinic is the controller; `special` names the special categories it can reveal, the
    clinic's Art. 9(2) condition that Wekst requires before the work, and Wekst's DPIA.
    """

    key: str
    name: Text
    description: Text
    special: SpecialCategories


@dataclass(frozen=True)
class Cookie:
    name: str
    party: str
    provider: str
    category: str
    purpose: Text
    lifetime: Text
    activity: str

    def matches(self, name: str) -> bool:
        """Whether a cookie (or storage key) seen in a browser is this one: a part written
        `<like-this>` in the declared name stands for any text (`_ga_<container-id>`)."""
        parts = re.split(r"<[^>]+>", self.name)
        return re.fullmatch(".+".join(re.escape(part) for part in parts), name) is not None


@dataclass(frozen=True)
class StorageKey(Cookie):
    """A key a page stores in the browser other than a cookie: localStorage, sessionStorage or
    an IndexedDB database (`kind`); declared and checked like a cookie (CK-01, CK-02)."""

    kind: str = "local"


@dataclass(frozen=True)
class Version:
    """One version of the policy: `date` is when it was published ("Last updated"),
    `effective_date` when a significant change in it applies (policy §13; TP-05)."""

    version: str
    date: datetime.date
    summary: Text
    significant: bool
    cookies_changed: bool
    effective_date: datetime.date | None = None

    @property
    def takes_effect(self) -> datetime.date:
        return self.effective_date or self.date


@dataclass(frozen=True)
class SensitivePages:
    """Pages that can reveal that a visitor is, or may become, a clinic's patient (CL-06, CON-10).

    Path patterns are read without the page's language prefix: `*` is one path segment, a final
    `**` any rest. `health_related` pages load no third-party tag or embed; on other pages GA4
    gets the address with each `*` of a `revealing` pattern replaced by `placeholder`.
    """

    health_related: tuple[str, ...] = ()
    revealing: tuple[str, ...] = ()
    placeholder: str = "redacted"
    notice: Text = Text(en="", nb="")
    analytics_notice: Text = Text(en="", nb="")

    def is_health_related(self, path: str) -> bool:
        return any(path_matches(pattern, path) for pattern in self.health_related)


def path_matches(pattern: str, path: str) -> bool:
    """Whether `path` (no query string) fits `pattern`: `*` one non-empty segment, a final `**`
    any rest (none included)."""
    wanted, parts = pattern.split("/"), path.split("/")
    rest = wanted[-1] == "**"
    if rest:
        wanted = wanted[:-1]
        if len(parts) < len(wanted):
            return False
    elif len(parts) != len(wanted):
        return False
    return all(w == p or (w == "*" and p) for w, p in zip(wanted, parts, strict=False))


@dataclass(frozen=True)
class Declaration:
    controller: Controller
    supervisory_authority: Authority
    versions: tuple[Version, ...]
    data_categories: dict[str, DataCategory]
    subject_categories: dict[str, SubjectCategory]
    retention_rules: dict[str, RetentionRule]
    recipients: dict[str, Recipient]
    activities: dict[str, Activity]
    cookies: tuple[Cookie, ...]
    security_measures: tuple[Text, ...]
    children: Children = Children(age_of_consent=16)
    personal_data_fields: dict[str, dict[str, str]] = field(default_factory=dict)
    storage_keys: tuple[StorageKey, ...] = ()
    # The audience segments of Wekst's own marketing (policy §10; declaration.schema.segments).
    segments: dict[str, Segment] = field(default_factory=dict)
    clinic_processing: dict[str, ClinicProcessing] = field(default_factory=dict)
    sensitive_pages: SensitivePages = SensitivePages()

    @property
    def current(self) -> Version:
        return self.versions[0]

    @property
    def cookie_version(self) -> Version:
        """The newest version that changed the cookie part: consent given before it is asked again."""
        return next((v for v in self.versions if v.cookies_changed), self.versions[-1])

    def recipients_of(self, activity: Activity) -> list[Recipient]:
        return [self.recipients[key] for key in activity.recipients]

    def processing_entries(self) -> dict[str, Activity | ClinicProcessing]:
        """Every kind of processing the declaration lists, by the name a DPIA uses for it
        ("activities.<key>", "clinic_processing.<key>"): what an assessment can cover (CL-06)."""
        return {
            **{f"activities.{key}": a for key, a in self.activities.items()},
            **{f"clinic_processing.{key}": p for key, p in self.clinic_processing.items()},
        }

    def dpia_references(self) -> dict[str, list[str]]:
        """Each DPIA the declaration names, with the entries that name it (CL-06)."""
        named: dict[str, list[str]] = {}
        for entry, processing in self.processing_entries().items():
            if processing.special.dpia:
                named.setdefault(processing.special.dpia, []).append(entry)
        return named

    def activities_by_basis(self) -> dict[str, list[Activity]]:
        grouped: dict[str, list[Activity]] = {}
        for activity in self.activities.values():
            grouped.setdefault(activity.legal_basis, []).append(activity)
        return grouped

    def cookies_in(self, category: str) -> list[Cookie]:
        """The cookies of a category, then its storage keys: the cookie policy lists both."""
        entries = (*self.cookies, *self.storage_keys)
        return [entry for entry in entries if entry.category == category]
