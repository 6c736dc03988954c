"""The declaration's shape, and its validation into frozen objects.

Everything the published policy, the cookie policy and the records of processing (GDPR Art. 30)
say is read from these objects, so an entry that could make them wrong or incomplete is refused
here, at start-up, with a message that names the entry.

Where each part lives (issue 17 split the one 684-line module by what it does):
    vocabulary.py   the legal bases, roles, countries and limits an entry may use
    entries.py      the frozen objects (Declaration, Activity, Recipient, …) and DeclarationError
    reader.py       the Reader that checks each value and collects every problem
    parse.py        parse_declaration, reading the sections below in order
    sections.py     controller, supervisory authority, children, categories, retention rules,
                    security measures, personal data fields
    versions.py     the policy's versions and a significant change's notice (TP-05)
    recipients.py   recipients and their transfer safeguards (Art. 44-46)
    activities.py   processing activities (Art. 6(1), 13)
    special.py      special categories (Art. 9), their Art. 9(2) condition and DPIA; the
                    processing Wekst carries out for clinics (Art. 30(2); CL-06)
    cookies.py      cookies and other browser storage (CK-01)
"""

# Every name importable from `declaration.schema` before the split still is, so no importer had
# to change. New code may import from the module that defines a name; these re-exports stay at
# least one release (issue 17) before any is dropped.
from declaration.schema.entries import (
    Activity,
    Authority,
    Children,
    ClinicProcessing,
    Controller,
    Cookie,
    DataCategory,
    Declaration,
    DeclarationError,
    Recipient,
    RetentionRule,
    SpecialCategories,
    StorageKey,
    SubjectCategory,
    Text,
    Version,
)
from declaration.schema.parse import parse_declaration
from declaration.schema.vocabulary import (
    ADEQUATE_COUNTRIES,
    AGE_OF_CONSENT_RANGE,
    COOKIE_CATEGORIES,
    COOKIE_PARTIES,
    EEA_COUNTRIES,
    LANGUAGES,
    LEGAL_BASES,
    NOT_PERSONAL,
    RECIPIENT_ROLES,
    RETENTION_UNITS,
    SIGNIFICANT_CHANGE_NOTICE,
    STORAGE_KINDS,
    TRANSFER_SAFEGUARDS,
)

__all__ = [
    "ADEQUATE_COUNTRIES",
    "AGE_OF_CONSENT_RANGE",
    "COOKIE_CATEGORIES",
    "COOKIE_PARTIES",
    "EEA_COUNTRIES",
    "LANGUAGES",
    "LEGAL_BASES",
    "NOT_PERSONAL",
    "RECIPIENT_ROLES",
    "RETENTION_UNITS",
    "SIGNIFICANT_CHANGE_NOTICE",
    "STORAGE_KINDS",
    "TRANSFER_SAFEGUARDS",
    "Activity",
    "Authority",
    "Children",
    "ClinicProcessing",
    "Controller",
    "Cookie",
    "DataCategory",
    "Declaration",
    "DeclarationError",
    "Recipient",
    "RetentionRule",
    "SpecialCategories",
    "StorageKey",
    "SubjectCategory",
    "Text",
    "Version",
    "parse_declaration",
]
