"""Database checks of the DPIA register: every DPIA the declaration names is on record, and none
has lapsed (CL-06).

Tagged `database`, so start-up and `manage.py check` never need the database (the declaration
itself is validated without it, DEC-01); `manage.py check --database default`, `migrate` and the
test suite run them, and the staff workbench shows the same (wekst/workbench.py).
"""

from django.core import checks
from django.db import DatabaseError
from django.utils import timezone

from assessments.selectors import lapsed_dpias, missing_dpias
from declaration.selectors import get_declaration


@checks.register(checks.Tags.database)
def check_dpia_register(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    if not databases:
        return []
    try:
        missing = missing_dpias(declaration=get_declaration())
        lapsed = list(lapsed_dpias(on=timezone.localdate()).values_list("reference", flat=True))
    except DatabaseError:  # not migrated yet: migrate runs the checks before it creates tables
        return []
    messages = [
        checks.Warning(
            f"The declaration names {reference} ({', '.join(entries)}) but the DPIA register "
            "holds no assessment with that reference.",
            hint="Record it in the back office: Impact assessments > DPIA register.",
            id="assessments.W001",
        )
        for reference, entries in missing.items()
    ]
    messages += [
        checks.Warning(
            f"{reference} is past its review date: it has lapsed until reviewed (GDPR Art. 35(11)).",
            id="assessments.W002",
        )
        for reference in lapsed
    ]
    return messages
