"""Every declared retention rule has its registry entry, and every entry a declared rule: a
promise of the policy that nothing keeps fails `manage.py check` (RET-01; checklist RT-01)."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from retention.checks import check_retention_registry
from retention.registry import REGISTRY, Elsewhere, Sweep


def ids(messages) -> list[tuple[str, str]]:
    return [(m.id, m.msg) for m in messages]


def test_ret_01_every_declared_rule_has_a_registry_entry_and_the_reverse():
    assert check_retention_registry() == []


def test_ret_01_a_declared_rule_without_a_registry_entry_fails_the_check():
    registry = [entry for entry in REGISTRY if entry.rule != "consent_log"]

    [(code, message)] = ids(check_retention_registry(registry=registry))

    assert code == "retention.E001"
    assert "'consent_log' is declared" in message


def test_ret_01_a_registry_entry_for_an_undeclared_rule_fails_the_check():
    registry = [*REGISTRY, Elsewhere(rule="forever", where="nowhere")]

    assert ids(check_retention_registry(registry=registry)) == [
        (
            "retention.E002",
            "The retention registry has an entry for rule 'forever', which is not declared.",
        )
    ]


def test_ret_01_a_sweep_needs_a_period_and_fields_that_exist():
    registry = [
        *REGISTRY,
        Sweep(rule="until_unsubscribe", model="newsletter.Subscription", clock="signed_up_at"),
        Sweep(rule="consent_log", model="consent.ConsentDecision", clock="decided_on"),
        Sweep(rule="email_copy", model="mail.OutgoingEmail", clock="sent_at", subject_path="to"),
        Sweep(rule="consent_log", model="consent.Nothing", clock="decided_at"),
    ]

    codes = [code for code, _message in ids(check_retention_registry(registry=registry))]

    assert codes == [
        "retention.E003",  # a rule without a period cannot be swept by time
        "retention.E004",  # no field decided_on (and ConsentDecision has no subject)
        "retention.E004",
        "retention.E004",  # no field "to" to reach the subject through
        "retention.E004",  # no such model
    ]


@pytest.mark.django_db
def test_ret_01_manage_py_check_fails_when_a_rule_has_no_entry(monkeypatch):
    monkeypatch.setattr(
        "retention.checks.REGISTRY", [e for e in REGISTRY if e.rule != "email_copy"]
    )

    with pytest.raises(SystemCheckError, match="'email_copy' is declared"):
        call_command("check")
