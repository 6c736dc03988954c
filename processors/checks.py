"""System checks: no integration switched on without its processor's contracts on record (PRO-02).

An integration (GA4, a booking provider, the email provider) whose recipient has no data
processing agreement on record, or a transfer outside the EEA without its safeguard, fails
`manage.py check --deploy` in production and warns elsewhere. At run time it stays off anyway
(processors.selectors.integration_enabled), so the check is the early warning, not the guard.

It is a deploy check, not an ordinary one, because the register lives in the database: an
ordinary check also runs before `migrate`, and would stop the very deploy that lets staff record
the agreement.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from declaration.selectors import get_declaration
from processors.connectors import host_declared
from processors.integration import integrations
from processors.selectors import recipient_blockers


@checks.register()
def check_processor_urls_are_declared(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Each processor URL in settings points at a host the declaration names for that processor
    (DEC-07): otherwise every call to it would be refused at run time (connectors.send), so say so
    at start-up. An error in production, a warning elsewhere."""
    level = checks.Error if settings.PRODUCTION else checks.Warning
    return [
        level(
            f"{name} points at {urlsplit(url).hostname}, which the declaration does not name "
            f"among the server_hosts of {key}: calls to it will be refused.",
            hint="Add the host to the recipient's server_hosts in declaration.yaml (and the "
            "policy), or correct the setting.",
            id="processors.E004" if level is checks.Error else "processors.W004",
        )
        for key, integration in integrations().items()
        for name in integration.url_settings
        if (url := getattr(settings, name, "")) and not host_declared(recipient=key, url=url)
    ]


@checks.register(deploy=True)
def check_integrations_have_contracts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    level = checks.Error if settings.PRODUCTION else checks.Warning
    try:
        messages = [
            level(
                f"{integration.setting} switches on the {key} integration, but {problem}",
                hint="Record the agreement and safeguard on the recipient's page in the back "
                "office (Processors > Recipients), or switch the integration off. Until then it "
                "stays off at run time.",
                id="processors.E001" if level is checks.Error else "processors.W001",
            )
            for key, integration in integrations().items()
            if integration.is_switched_on()
            for problem in recipient_blockers(key)
        ]
        messages += _check_register_in_step()
    except DatabaseError as error:
        # Before the first migrate (or without a database) the register cannot be read: the
        # integrations stay off at run time, and the check says so instead of failing.
        if not any(integration.is_switched_on() for integration in integrations().values()):
            return []
        return [
            checks.Warning(
                f"The processor register could not be read ({type(error).__name__}): "
                "integrations stay off until it can.",
                hint="Run manage.py migrate and manage.py sync_processor_register.",
                id="processors.W003",
            )
        ]
    return messages


def _check_register_in_step() -> list[checks.CheckMessage]:
    from processors.models import Recipient

    registered = set(Recipient.objects.filter(declared=True).values_list("key", flat=True))
    missing = [key for key in get_declaration().recipients if key not in registered]
    if not missing:
        return []
    return [
        checks.Warning(
            f"The processor register has no entry for {', '.join(missing)} of the declaration.",
            hint="Run manage.py sync_processor_register (bin/run does at start).",
            id="processors.W002",
        )
    ]
