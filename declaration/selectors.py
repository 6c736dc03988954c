"""Reading the declaration: loaded once per process from the file named in settings."""

from functools import cache
from pathlib import Path

import yaml
from django.conf import settings

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
