"""Reading the recipients: who data is disclosed to, where, and under which transfer safeguard.

A transfer outside the EEA needs its safeguard (GDPR Art. 44-46), and the safeguard must fit the
countries named: an adequacy decision where there is one, the Data Privacy Framework for the
United States only (checklist PT-05).
"""

from __future__ import annotations

from declaration.hosts import parse_hosts
from declaration.schema.entries import DataCategory, Recipient
from declaration.schema.reader import Reader
from declaration.schema.vocabulary import (
    ADEQUATE_COUNTRIES,
    EEA_COUNTRIES,
    RECIPIENT_ROLES,
    TRANSFER_SAFEGUARDS,
)


def read_recipients(
    r: Reader, data: dict, categories: dict[str, DataCategory]
) -> dict[str, Recipient]:
    recipients = {}
    for key, raw in r.mapping(data.get("recipients"), "recipients").items():
        where = f"recipients.{key}"
        recipient = _read_recipient(r, r.mapping(raw, where), key, where, categories)
        _check_transfer(r, recipient, where)
        recipients[key] = recipient
    return recipients


def _read_recipient(
    r: Reader, raw: dict, key: str, where: str, categories: dict[str, DataCategory]
) -> Recipient:
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
    return Recipient(
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


def _check_transfer(r: Reader, recipient: Recipient, where: str) -> None:
    """A transfer outside the EEA has a safeguard, and the safeguard covers its countries."""
    safeguard = recipient.transfer_safeguard
    outside = [c for c in recipient.countries if c not in EEA_COUNTRIES]
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


def _hosts(r: Reader, raw: dict, key: str, where: str) -> tuple[str, ...]:
    hosts, problems = parse_hosts(raw.get(key, []), key)
    for problem in problems:
        r.problem(where, problem)
    return hosts
