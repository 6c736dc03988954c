"""Reading the declaration: loaded once per process from the file named in settings."""

from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import gettext

from declaration.schema import Declaration, DeclarationError, parse_declaration


def load_declaration(path: Path) -> Declaration:
    """Load and validate a declaration file; DeclarationError names every bad entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DeclarationError([f"{path}: cannot be read ({error.strerror})"]) from error
    except yaml.YAMLError as error:
        raise DeclarationError([f"{path}: is not valid YAML ({error})"]) from error
    return parse_declaration(data)


@cache
def get_declaration() -> Declaration:
    """The declaration in force. Validated at start-up (DeclarationConfig.ready), so never invalid."""
    return load_declaration(Path(settings.WEKST_DECLARATION_PATH))


def age_of_consent() -> int:
    """Policy §12: the age a person must confirm for a consent-based sign-up (CH-01)."""
    return get_declaration().children.age_of_consent


# The policy's names for the keys that records store ("leads_from_other_sources",
# "email_provider", "clinic_processing.clinic_enquiries"): what the back office shows staff. A key
# the declaration no longer lists (a record older than the entry's removal) is shown as it is.


def activity_name(key: str) -> str:
    """The name the policy gives a processing activity, in the active language."""
    activity = get_declaration().activities.get(key)
    return str(activity.name) if activity else key


def recipient_name(key: str) -> str:
    """The name the policy gives a recipient (a processor, an authority…), in the active
    language."""
    recipient = get_declaration().recipients.get(key)
    return str(recipient.name) if recipient else key


def processing_name(entry: str) -> str:
    """The name of an "activities.<key>" or "clinic_processing.<key>" entry (what a DPIA covers,
    CL-06), saying which of the two it is: Wekst's own, or for the clinics as their processor."""
    processing = get_declaration().processing_entries().get(entry)
    if processing is None:  # covered once, and kept until staff untick it (assessments.forms)
        return gettext("%(entry)s (no longer in the declaration)") % {"entry": entry}
    if entry.startswith("clinic_processing."):
        return f"{processing.name} (for clinics, as their processor)"
    return str(processing.name)


def data_category_name(key: str) -> str:
    """The name the policy gives a category of personal data, in the active language."""
    category = get_declaration().data_categories.get(key)
    return str(category.name) if category else key
