"""parse_declaration: the raw declaration, section by section, into its frozen form or one error.

The sections are read in the order the policy depends on them (categories before the recipients
and activities that name them), and every problem is collected before anything is refused, so
one start-up lists every entry to fix.
"""

from __future__ import annotations

from typing import Any

from declaration.hosts import recipient_host_problems
from declaration.schema.activities import read_activities
from declaration.schema.cookies import read_cookies, read_storage_keys
from declaration.schema.entries import Declaration, DeclarationError
from declaration.schema.pages import read_sensitive_pages
from declaration.schema.reader import Reader
from declaration.schema.recipients import read_recipients
from declaration.schema.sections import (
    read_children,
    read_controller,
    read_data_categories,
    read_personal_data_fields,
    read_retention_rules,
    read_security_measures,
    read_subject_categories,
    read_supervisory_authority,
)
from declaration.schema.segments import read_segments
from declaration.schema.special import read_clinic_processing
from declaration.schema.versions import read_versions


def parse_declaration(data: Any) -> Declaration:
    """Validate the raw declaration (as loaded from YAML) and build its frozen form.

    Raises DeclarationError listing every problem found, each prefixed with the entry it is in.
    """
    r = Reader()
    data = r.mapping(data, "declaration")

    controller = read_controller(r, data)
    authority = read_supervisory_authority(r, data)
    children = read_children(r, data)
    versions = read_versions(r, data)
    categories = read_data_categories(r, data)
    subjects = read_subject_categories(r, data)
    rules = read_retention_rules(r, data)
    recipients = read_recipients(r, data, categories)
    activities = read_activities(
        r, data, categories=categories, subjects=subjects, rules=rules, recipients=recipients
    )
    # CL-06: what Wekst does for clinics, with the special categories each can reveal.
    clinic_processing = read_clinic_processing(r, data)
    cookies = read_cookies(r, data, activities)
    storage_keys = read_storage_keys(r, data, activities)
    # DEC-07: a recipient a visitor's browser contacts is held to a consent they can refuse.
    for problem in recipient_host_problems(recipients, activities):
        r.problem(*problem)
    measures = read_security_measures(r, data)
    fields = read_personal_data_fields(r, data, categories)
    segments = read_segments(r, data, activities=activities, recipients=recipients)
    sensitive_pages = read_sensitive_pages(r, data)

    if r.problems:
        raise DeclarationError(r.problems)
    return Declaration(
        controller=controller,
        supervisory_authority=authority,
        versions=versions,
        data_categories=categories,
        subject_categories=subjects,
        retention_rules=rules,
        recipients=recipients,
        activities=activities,
        cookies=cookies,
        security_measures=measures,
        children=children,
        personal_data_fields=fields,
        storage_keys=storage_keys,
        segments=segments,
        clinic_processing=clinic_processing,
        sensitive_pages=sensitive_pages,
    )
