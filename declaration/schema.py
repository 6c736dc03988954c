"""The declaration's shape, and its validation into frozen objects.

Everything the published policy, the cookie policy and the records of processing (GDPR Art. 30)
say is read from these objects, so an entry that could make them wrong or incomplete is refused
here, at start-up, with a message that names the entry.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

from declaration.citations import Citation, cite
from declaration.hosts import parse_hosts, recipient_host_problems

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

    @property
    def legal_basis_article(self) -> Citation:
        """Art. 6(1)(x), written in the active language (declaration.citations)."""
        return cite(6, 1, LEGAL_BASES[self.legal_basis])


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

    @property
    def current(self) -> Version:
        return self.versions[0]

    @property
    def cookie_version(self) -> Version:
        """The newest version that changed the cookie part: consent given before it is asked again."""
        return next((v for v in self.versions if v.cookies_changed), self.versions[-1])

    def recipients_of(self, activity: Activity) -> list[Recipient]:
        return [self.recipients[key] for key in activity.recipients]

    def activities_by_basis(self) -> dict[str, list[Activity]]:
        grouped: dict[str, list[Activity]] = {}
        for activity in self.activities.values():
            grouped.setdefault(activity.legal_basis, []).append(activity)
        return grouped

    def cookies_in(self, category: str) -> list[Cookie]:
        """The cookies of a category, then its storage keys: the cookie policy lists both."""
        entries = (*self.cookies, *self.storage_keys)
        return [entry for entry in entries if entry.category == category]


NOT_PERSONAL = "none"


class _Reader:
    """Reads the raw mapping, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, data: Any, where: str) -> dict:
        if not isinstance(data, dict):
            self.problem(where, "must be a mapping")
            return {}
        return data

    def string(self, data: dict, key: str, where: str) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problem(where, f"{key} is missing")
            return ""
        if not isinstance(value, str | int | float):
            self.problem(where, f"{key} must be text")
            return ""
        return str(value).strip()

    def text(self, data: dict, key: str, where: str, *, optional: bool = False) -> Text | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, dict):
            self.problem(where, f"{key} is missing or not a text in {' and '.join(LANGUAGES)}")
            return Text(en="", nb="")
        missing = [lang for lang in LANGUAGES if not str(value.get(lang) or "").strip()]
        if missing:
            self.problem(where, f"{key} has no text in {', '.join(missing)}")
        return Text(en=str(value.get("en") or "").strip(), nb=str(value.get("nb") or "").strip())

    def keys(self, data: dict, key: str, where: str, known: dict | None, kind: str) -> tuple:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.problem(where, f"{key} must list at least one {kind}")
            return ()
        if known is not None:
            for item in value:
                if item not in known:
                    self.problem(where, f"unknown {kind} {item!r} in {key}")
        return tuple(str(item) for item in value)

    def collected(self, data: dict, where: str, known: dict) -> dict[str, Text]:
        """An activity's `data_categories`: each category it uses, with what it collects in it.

        The activity's own list, in both languages, so the policy never prints a category's
        generic examples for an activity that does not collect them (a newsletter sign-up asks
        for no phone number).
        """
        value = data.get("data_categories")
        if not isinstance(value, dict) or not value:
            self.problem(
                where,
                "data_categories must map each data category to what this activity collects "
                "in it, in en and nb (e.g. contact: {en: Email address, nb: E-postadresse})",
            )
            return {}
        collected = {}
        for key in value:
            if key not in known:
                self.problem(where, f"unknown data category {key!r} in data_categories")
            collected[str(key)] = self.text(value, key, f"{where}.data_categories")
        return collected

    def boolean(self, data: dict, key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(where, f"{key} must be true or false")
            return default
        return value


def _check_effective_date(r: _Reader, version: Version, where: str) -> None:
    """A significant change takes effect no sooner than SIGNIFICANT_CHANGE_NOTICE after its date,
    so the people told of it (declaration.notices) hear before it applies (TP-05, DEC-06)."""
    effective, days = version.effective_date, SIGNIFICANT_CHANGE_NOTICE.days
    if effective is not None and not isinstance(effective, datetime.date):
        r.problem(where, "effective_date must be a date (YYYY-MM-DD)")
    elif version.significant and effective is None:
        r.problem(
            where,
            f"is marked significant, so it needs an effective_date at least {days} days after "
            f"its date {version.date}: the people concerned are told before it takes effect",
        )
    elif effective is not None and effective < version.date:
        r.problem(where, f"effective_date {effective} is before its date {version.date}")
    elif version.significant and effective < version.date + SIGNIFICANT_CHANGE_NOTICE:
        r.problem(
            where,
            f"effective_date {effective} is only {(effective - version.date).days} day(s) after "
            f"its date {version.date}; a significant change takes effect at least {days} days "
            "after it is published",
        )


def parse_declaration(data: Any) -> Declaration:
    """Validate the raw declaration (as loaded from YAML) and build its frozen form.

    Raises DeclarationError listing every problem found, each prefixed with the entry it is in.
    """
    r = _Reader()
    data = r.mapping(data, "declaration")

    raw = r.mapping(data.get("controller"), "controller")
    controller = Controller(
        **{
            name: r.string(raw, name, "controller")
            for name in ("legal_name", "trading_name", "org_number", "email", "website")
        },
        address=r.text(raw, "address", "controller"),
    )
    raw = r.mapping(data.get("supervisory_authority"), "supervisory_authority")
    authority = Authority(
        name=r.string(raw, "name", "supervisory_authority"),
        website=r.string(raw, "website", "supervisory_authority"),
        address=r.text(raw, "address", "supervisory_authority"),
    )

    raw = r.mapping(data.get("children"), "children")
    age = raw.get("age_of_consent")
    low, high = AGE_OF_CONSENT_RANGE
    if isinstance(age, bool) or not isinstance(age, int) or not low <= age <= high:
        r.problem(
            "children",
            f"age_of_consent must be a whole number from {low} to {high} "
            f"(GDPR Art. 8(1); personopplysningsloven § 5), not {age!r}",
        )
        age = high
    children = Children(age_of_consent=age)

    versions = []
    raw_versions = data.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        r.problem("versions", "must list at least one version, newest first")
        raw_versions = []
    for index, raw in enumerate(raw_versions):
        where = f"versions[{index}]"
        raw = r.mapping(raw, where)
        date = raw.get("date")
        if not isinstance(date, datetime.date):
            r.problem(where, "date must be a date (YYYY-MM-DD)")
            date = datetime.date.min
        version = Version(
            version=r.string(raw, "version", where),
            date=date,
            summary=r.text(raw, "summary", where),
            significant=r.boolean(raw, "significant", where, False),
            cookies_changed=r.boolean(raw, "cookies_changed", where, False),
            effective_date=raw.get("effective_date"),
        )
        _check_effective_date(r, version, f"versions.{version.version or index}")
        versions.append(version)
    dates = [v.date for v in versions]
    if dates != sorted(dates, reverse=True):
        r.problem("versions", "must be listed newest first")
    if len({v.version for v in versions}) != len(versions):
        r.problem("versions", "each version must be named once")

    categories = {}
    for key, raw in r.mapping(data.get("data_categories"), "data_categories").items():
        where = f"data_categories.{key}"
        raw = r.mapping(raw, where)
        categories[key] = DataCategory(
            key=key, name=r.text(raw, "name", where), examples=r.text(raw, "examples", where)
        )

    subjects = {}
    for key, raw in r.mapping(data.get("subject_categories"), "subject_categories").items():
        where = f"subject_categories.{key}"
        subjects[key] = SubjectCategory(key=key, name=r.text(r.mapping(raw, where), "name", where))

    rules = {}
    for key, raw in r.mapping(data.get("retention_rules"), "retention_rules").items():
        where = f"retention_rules.{key}"
        raw = r.mapping(raw, where)
        period, unit = raw.get("period"), raw.get("unit")
        if period is not None and (not isinstance(period, int) or period <= 0):
            r.problem(where, "period must be a positive whole number, or left out")
        if period is not None and unit not in RETENTION_UNITS:
            r.problem(where, f"unit must be one of {', '.join(sorted(RETENTION_UNITS))}")
        link = raw.get("link")
        if link is not None and not (isinstance(link, str) and link.startswith("https://")):
            r.problem(where, "link must be an https:// address, or left out")
            link = None
        rules[key] = RetentionRule(
            key=key,
            period=period,
            unit=unit if period is not None else None,
            counts_from=r.string(raw, "counts_from", where),
            description=r.text(raw, "description", where),
            link=link,
        )

    recipients = {}
    for key, raw in r.mapping(data.get("recipients"), "recipients").items():
        where = f"recipients.{key}"
        raw = r.mapping(raw, where)
        role = r.string(raw, "role", where)
        if role and role not in RECIPIENT_ROLES:
            r.problem(where, f"unknown role {role!r}")
        countries = r.keys(raw, "countries", where, None, "country")
        for country in raw.get("countries") or []:
            if not (isinstance(country, str) and len(country) == 2 and country.isupper()):
                r.problem(
                    where,
                    f"country {country!r} is not a two-letter ISO code "
                    '(write "NO" in quotes: YAML reads a bare NO as false)',
                )
        safeguard = raw.get("transfer_safeguard")
        dpf_entity = raw.get("dpf_entity")
        if safeguard == "dpf" and not (isinstance(dpf_entity, str) and dpf_entity.strip()):
            r.problem(
                where,
                "dpf needs dpf_entity: the organisation as it appears on the Data Privacy "
                "Framework List, which may not be the contracting entity (checklist PT-05)",
            )
        elif safeguard != "dpf" and dpf_entity is not None:
            r.problem(where, "dpf_entity is only for transfer_safeguard: dpf")
        recipient = Recipient(
            key=key,
            name=r.text(raw, "name", where),
            legal_entity=r.text(raw, "legal_entity", where),
            role=role,
            service=r.text(raw, "service", where),
            data_categories=r.keys(raw, "data_categories", where, categories, "data category"),
            countries=countries,
            transfer_safeguard=safeguard,
            dpa_required=role == "processor",
            dpf_entity=str(dpf_entity).strip() if safeguard == "dpf" and dpf_entity else None,
            browser_hosts=_hosts(r, raw, "browser_hosts", where),
            consent_category=raw.get("consent_category"),
            server_hosts=_hosts(r, raw, "server_hosts", where),
        )
        outside = [c for c in countries if c not in EEA_COUNTRIES]
        if safeguard is not None and safeguard not in TRANSFER_SAFEGUARDS:
            r.problem(where, f"unknown transfer_safeguard {safeguard!r}")
        elif outside and safeguard is None:
            r.problem(
                where,
                f"transfers outside the EEA ({', '.join(outside)}) without a transfer_safeguard "
                "(adequacy, dpf or scc; GDPR Art. 44-46)",
            )
        elif safeguard == "adequacy" and (
            lacking := [c for c in outside if c not in ADEQUATE_COUNTRIES]
        ):
            r.problem(
                where,
                f"adequacy is claimed for {', '.join(lacking)}, which has no adequacy decision",
            )
        elif safeguard == "dpf" and (lacking := [c for c in outside if c != "US"]):
            r.problem(
                where,
                f"the Data Privacy Framework covers the United States only, not {', '.join(lacking)}",
            )
        recipients[key] = recipient

    activities = {}
    for key, raw in r.mapping(data.get("activities"), "activities").items():
        where = f"activities.{key}"
        raw = r.mapping(raw, where)
        basis = raw.get("legal_basis")
        if not basis:
            r.problem(where, "legal_basis is missing (GDPR Art. 6(1))")
        elif basis not in LEGAL_BASES:
            r.problem(where, f"unknown legal_basis {basis!r}; use one of {', '.join(LEGAL_BASES)}")
        interest = r.text(raw, "legitimate_interest", where, optional=True)
        if basis == "legitimate_interests" and interest is None:
            r.problem(
                where, "legitimate_interests needs the legitimate_interest pursued (Art. 13(1)(d))"
            )
        retention = r.string(raw, "retention", where)
        if retention and retention not in rules:
            r.problem(where, f"unknown retention rule {retention!r}")
        recipient_keys = raw.get("recipients", [])
        if not isinstance(recipient_keys, list):
            r.problem(where, "recipients must be a list")
            recipient_keys = []
        for item in recipient_keys:
            if item not in recipients:
                r.problem(where, f"unknown recipient {item!r}")
        collected = r.collected(raw, where, categories)
        activities[key] = Activity(
            key=key,
            name=r.text(raw, "name", where),
            purpose=r.text(raw, "purpose", where),
            legal_basis=basis or "",
            legitimate_interest=interest,
            data_categories=tuple(collected),
            data_collected=collected,
            data_subjects=r.keys(raw, "data_subjects", where, subjects, "subject category"),
            retention=retention,
            recipients=tuple(recipient_keys),
            source=r.text(raw, "source", where),
            required=r.text(raw, "required", where),
            profiling=r.boolean(raw, "profiling", where, False),
        )

    cookies = _parse_cookies(r, data, "cookies", activities)
    storage_keys = _parse_cookies(r, data, "storage", activities)
    for problem in recipient_host_problems(recipients, activities):
        r.problem(*problem)

    measures_raw = data.get("security_measures")
    if not isinstance(measures_raw, list) or not measures_raw:
        r.problem("security_measures", "must list the measures taken (Art. 30(1)(g), Art. 32)")
        measures_raw = []
    measures = tuple(
        r.text({"m": m}, "m", f"security_measures[{i}]") for i, m in enumerate(measures_raw)
    )

    fields = {}
    for model, raw in r.mapping(data.get("personal_data_fields"), "personal_data_fields").items():
        where = f"personal_data_fields.{model}"
        raw = r.mapping(raw, where)
        for field_name, category in raw.items():
            if category != NOT_PERSONAL and category not in categories:
                r.problem(where, f"{field_name}: unknown data category {category!r}")
        fields[model] = {str(k): str(v) for k, v in raw.items()}

    if r.problems:
        raise DeclarationError(r.problems)
    return Declaration(
        controller=controller,
        supervisory_authority=authority,
        versions=tuple(versions),
        data_categories=categories,
        subject_categories=subjects,
        retention_rules=rules,
        recipients=recipients,
        activities=activities,
        cookies=tuple(cookies),
        security_measures=measures,
        children=children,
        personal_data_fields=fields,
        storage_keys=tuple(storage_keys),
    )


def _hosts(r: _Reader, raw: dict, key: str, where: str) -> tuple[str, ...]:
    hosts, problems = parse_hosts(raw.get(key, []), key)
    for problem in problems:
        r.problem(where, problem)
    return hosts


def _parse_cookies(r: _Reader, data: dict, section: str, activities: dict) -> list:
    """The `cookies` list, or the `storage` list (keys outside cookies, each with its `kind`).
    `storage` may be left out: a site that stores nothing outside cookies declares nothing."""
    entries, seen = [], set()
    raw_entries = data.get(section, [] if section == "storage" else None)
    if not isinstance(raw_entries, list):
        r.problem(section, "must be a list")
        raw_entries = []
    for index, raw in enumerate(raw_entries):
        raw = r.mapping(raw, f"{section}[{index}]")
        name = r.string(raw, "name", f"{section}[{index}]")
        where = f"{section}.{name or index}"
        if name in seen:
            r.problem(where, "is declared twice")
        seen.add(name)
        category, party = raw.get("category"), raw.get("party")
        if category not in COOKIE_CATEGORIES:
            r.problem(where, f"category must be one of {', '.join(COOKIE_CATEGORIES)}")
        if party not in COOKIE_PARTIES:
            r.problem(where, "party must be first or third")
        activity = r.string(raw, "activity", where)
        if activity and activity not in activities:
            r.problem(where, f"unknown activity {activity!r}")
        values = {
            "name": name,
            "party": party or "",
            "provider": r.string(raw, "provider", where),
            "category": category or "",
            "purpose": r.text(raw, "purpose", where),
            "lifetime": r.text(raw, "lifetime", where),
            "activity": activity,
        }
        if section == "storage":
            kind = raw.get("kind")
            if kind not in STORAGE_KINDS:
                r.problem(where, f"kind must be one of {', '.join(STORAGE_KINDS)}")
            entries.append(StorageKey(**values, kind=kind or ""))
        else:
            entries.append(Cookie(**values))
    return entries
