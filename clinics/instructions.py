"""Instructions of a clinic that Wekst considers would break data protection law, and the notice
Wekst gave the clinic (GDPR Art. 28(3) final subparagraph; CL-07).

The processor must immediately inform the controller when an instruction in its opinion infringes
the GDPR or other data protection law: the record keeps the instruction, why, the notice (its
text, when and how it was given) and what came of it, and the audit log has each step.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from audit.services import record_event
from clinics.models import Clinic, UnlawfulInstruction


class InstructionRefused(Exception):
    """The record cannot be made as asked; the message says why."""


def record_unlawful_instruction(
    *,
    clinic: Clinic,
    received_on: datetime.date,
    instruction: str,
    why_unlawful: str,
    notice_text: str,
    notified_on: datetime.date,
    notified_how: str,
    actor: str,
) -> UnlawfulInstruction:
    """Record the instruction and the notice Wekst gave; audited in the same transaction."""
    texts = {"instruction": instruction, "why_unlawful": why_unlawful, "notice_text": notice_text}
    if empty := [name for name, text in texts.items() if not text.strip()]:
        raise InstructionRefused(f"Fill in: {', '.join(empty)}.")
    if notified_on < received_on:
        raise InstructionRefused("The notice cannot be given before the instruction came.")
    if notified_how not in UnlawfulInstruction.Channel.values:
        raise InstructionRefused("Say how the notice was given.")
    with transaction.atomic():
        record = UnlawfulInstruction.objects.create(
            clinic=clinic,
            received_on=received_on,
            notified_on=notified_on,
            notified_how=notified_how,
            recorded_by=actor,
            **{name: text.strip() for name, text in texts.items()},
        )
        _audit(record, actor=actor, action="create", reason=f"notice given by {notified_how}")
    return record


def record_instruction_outcome(
    *, record: UnlawfulInstruction, outcome: str, outcome_on: datetime.date, note: str, actor: str
) -> UnlawfulInstruction:
    """Record what came of the notice: withdrawn, amended, or refused by Wekst."""
    if outcome not in UnlawfulInstruction.Outcome.values or outcome == "pending":
        raise InstructionRefused("Choose what came of the notice.")
    if outcome_on < record.notified_on:
        raise InstructionRefused("The outcome cannot come before the notice.")
    with transaction.atomic():
        record.outcome, record.outcome_on, record.outcome_note = outcome, outcome_on, note.strip()
        record.save(update_fields=["outcome", "outcome_on", "outcome_note"])
        _audit(record, actor=actor, action="change", reason=f"outcome: {outcome}")
    return record


def _audit(record: UnlawfulInstruction, *, actor: str, action: str, reason: str) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="clinics.UnlawfulInstruction",
        object_id=record.pk,
        reason=f"clinic {record.clinic_id}: unlawful instruction (Art. 28(3)); {reason}",
    )
