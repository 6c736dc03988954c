"""Reading the processor register: may an integration run, and what the public sub-processor list
shows (GDPR Art. 28, 44-46; PRO-01, PRO-02). The clinics' selectors are in clinics.selectors."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from declaration.policy import country_names, safeguard_description
from declaration.schema import ADEQUATE_COUNTRIES, EEA_COUNTRIES
from declaration.schema import Recipient as DeclaredRecipient
from declaration.selectors import get_declaration
from processors.integration import get_integration
from processors.models import Recipient, Role, Safeguard


def register_blockers(entry: Recipient | None, declared: DeclaredRecipient | None) -> list[str]:
    """Why data may not flow to this recipient yet; empty when the register entry is complete.

    Checklist PT-02, PT-05, PT-06: a processor needs its DPA (Art. 28(3)) and a joint controller
    its arrangement (Art. 26), both dated with the document on file; processing outside the EEA,
    remote access included, needs a valid transfer tool on record (Art. 44-46), the one the policy
    names, with its document (SCCs with the transfer impact assessment) or its check (the DPF
    List entry).
    """
    if declared is None:
        return [_("The recipient is not in the declaration of processing.")]
    if entry is None:
        return [
            _(
                "The recipient is not in the processor register: run manage.py sync_processor_register."
            )
        ]
    problems = []
    if declared.role == Role.PROCESSOR and not (entry.dpa_signed_on and entry.dpa_document):
        problems.append(
            _("No data processing agreement on record (date and signed document; GDPR Art. 28(3)).")
        )
    if declared.role == Role.JOINT_CONTROLLER and not (entry.dpa_signed_on and entry.dpa_document):
        problems.append(
            _("No joint-controller arrangement on record (date and document; GDPR Art. 26).")
        )
    undeclared = [c for c in entry.remote_access if c not in declared.countries]
    if undeclared:
        problems.append(
            _(
                "Data is accessed from %(countries)s, which the declaration does not name: the "
                "policy must say where data goes (GDPR Art. 13(1)(f))."
            )
            % {"countries": ", ".join(undeclared)}
        )
    outside = [
        c
        for c in dict.fromkeys([*declared.countries, *entry.remote_access])
        if c not in EEA_COUNTRIES
    ]
    if outside:
        problems += _transfer_blockers(entry, declared, outside)
    return problems


def _transfer_blockers(
    entry: Recipient, declared: DeclaredRecipient, outside: list[str]
) -> list[str]:
    countries = ", ".join(outside)
    if not entry.safeguard:
        return [
            _("Transfer to %(countries)s without a safeguard on record (GDPR Art. 44-46).")
            % {"countries": countries}
        ]
    problems = []
    if declared.transfer_safeguard and entry.safeguard != declared.transfer_safeguard:
        problems.append(
            _("The policy names %(declared)s as the safeguard, but %(recorded)s is on record.")
            % {"declared": declared.transfer_safeguard, "recorded": entry.safeguard}
        )
    if entry.safeguard == Safeguard.ADEQUACY:
        lacking = [c for c in outside if c not in ADEQUATE_COUNTRIES]
        if lacking:
            problems.append(
                _("%(countries)s has no adequacy decision: SCCs are needed.")
                % {"countries": ", ".join(lacking)}
            )
    elif entry.safeguard == Safeguard.DPF:
        if [c for c in outside if c != "US"]:
            problems.append(
                _("The Data Privacy Framework covers transfers to the United States only.")
            )
        if not entry.safeguard_checked_on:
            problems.append(
                _("The entity's active entry on the Data Privacy Framework List was never checked.")
            )
    elif entry.safeguard == Safeguard.SCC and not entry.safeguard_document:
        problems.append(
            _(
                "The signed Standard Contractual Clauses (with the transfer impact assessment) are not on file."
            )
        )
    return problems


def recipient_blockers(key: str) -> list[str]:
    """register_blockers for the recipient with this declaration key."""
    return register_blockers(
        Recipient.objects.filter(key=key, declared=True).first(),
        get_declaration().recipients.get(key),
    )


def integration_switched_on(key: str) -> bool:
    """Whether the settings switch this integration on (a measurement id, a webhook secret, …)."""
    integration = get_integration(key)
    return integration is not None and integration.is_switched_on()


def has_integration(key: str) -> bool:
    """Whether our code sends this recipient data itself (an integration of processors/providers.py)."""
    return get_integration(key) is not None


def integration_enabled(key: str) -> bool:
    """Whether the integration may run now: switched on in settings and nothing blocks it in the
    register (PRO-02). Code that sends data to a recipient asks this first; an integration whose
    processor has no agreement or safeguard on record stays off, whatever the settings say."""
    return integration_switched_on(key) and not recipient_blockers(key)


# The published sub-processor list ---------------------------------------------------------------


@dataclass(frozen=True)
class PublishedRecipient:
    """One recipient as the public sub-processor list shows it: declaration and register joined."""

    declared: DeclaredRecipient
    data_categories: list[str]
    countries: list[str]
    safeguard: str
    agreement_signed_on: datetime.date | None
    in_use: bool


def published_recipients() -> tuple[list[PublishedRecipient], list[PublishedRecipient]]:
    """(processors, other recipients) of the declaration, in its order, each with what the
    register holds: the date of its agreement, and whether data may flow to it (PRO-01, PT-09)."""
    declaration = get_declaration()
    register = {entry.key: entry for entry in Recipient.objects.filter(declared=True)}
    processors, others = [], []
    for declared in declaration.recipients.values():
        entry = register.get(declared.key)
        remote = entry.remote_access if entry else []
        published = PublishedRecipient(
            declared=declared,
            data_categories=[
                str(declaration.data_categories[k].name) for k in declared.data_categories
            ],
            countries=country_names(dict.fromkeys([*declared.countries, *remote])),
            safeguard=safeguard_description(declared),
            agreement_signed_on=entry.dpa_signed_on if entry else None,
            in_use=not register_blockers(entry, declared),
        )
        (processors if declared.role == Role.PROCESSOR else others).append(published)
    return processors, others
