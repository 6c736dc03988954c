"""Notices to processors: passing an erasure, rectification or restriction on to the processors
that hold the person's data, through one retried notice per processor (GDPR Art. 17(2), 19,
28(3)(e); RG-12, RT-09).

Used by privacy requests (rights.services.erasure, .rectification, .restriction) and by the
retention sweep (retention.passing_on), so that both reach the processors the same way: a
`ProcessorNotice` created in the transaction of the change, enqueued with it, run by
`rights.tasks.pass_on_notice` through the processor's connector (processors/connectors.py),
retried with backoff until done and shown to staff.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from audit.services import record_event
from declaration.selectors import get_declaration
from processors.connectors import ManualStepNeeded, ProcessorTarget, call_connector
from rights import (
    tasks,
)  # the task runs pass_on_notice, which enqueues it again: named at call time
from rights.models import ProcessorNotice, Request

if TYPE_CHECKING:  # retention imports this module; the model is named, never imported here
    from retention.models import SweepRun

logger = logging.getLogger(__name__)

PROCESSOR_MAX_BACKOFF = datetime.timedelta(hours=6)
CONNECTOR_ACTOR = "system:processor_connector"


def pass_on_to_processors(
    *,
    kind: str,
    targets: dict[str, ProcessorTarget],
    subject_ref: str,
    request: Request | None = None,
    sweep_run: SweepRun | None = None,
    changes: dict[str, dict[str, str]] | None = None,
) -> list[str]:
    """One notice per processor, created in the caller's transaction and enqueued with it; a
    rectification goes only to the processors holding a corrected value. Returns the
    processors' names in the declaration, for the person.

    `request` is the privacy request that caused it, `sweep_run` the retention sweep run
    (retention.SweepRun) that erased the data; neither: another erasure (a ledger replay)."""
    declaration = get_declaration()
    if sweep_run is not None:
        cause = ProcessorNotice.Cause.RETENTION
    elif request is not None:
        cause = ProcessorNotice.Cause.REQUEST
    else:
        cause = ProcessorNotice.Cause.OTHER
    names = []
    for processor, target in targets.items():
        held = (changes or {}).get(processor, {})
        if kind == ProcessorNotice.Kind.RECTIFICATION and not held:
            continue
        job = ProcessorNotice.objects.create(
            kind=kind,
            cause=cause,
            request=request,
            sweep_run=sweep_run,
            subject_ref=subject_ref,
            processor=processor,
            identifiers=target.as_dict(),
            changes=held,
            next_attempt_at=timezone.now(),
        )
        enqueue_processor_notice(job)
        names.append(declaration.recipients[processor].name.en)
    return names


def _passed_on_text(names: list[str]) -> str:
    """The sentence of a request's outcome naming the processors it was passed on to."""
    return f" Passed on to {', '.join(names)}." if names else ""


def no_longer_needed(
    before: dict[str, ProcessorTarget], after: dict[str, ProcessorTarget]
) -> dict[str, ProcessorTarget]:
    """What each processor holds that nothing we keep needs any more, given the targets found
    (by rights.processor_targets.processor_targets) before and after some records were erased.

    A processor no record needs any more gets everything it knew the person by. A booking
    provider still needed for other bookings gets only the bookings that went: erasing the
    customer would take the bookings we still hold with it. An email provider still needed (the
    person is still a subscriber, say) gets nothing.
    """
    gone: dict[str, ProcessorTarget] = {}
    for processor, target in before.items():
        kept = after.get(processor)
        if kept is None:
            gone[processor] = target
            continue
        bookings = tuple(sorted(set(target.booking_ids) - set(kept.booking_ids)))
        if bookings:
            gone[processor] = ProcessorTarget(booking_ids=bookings)
    return gone


def enqueue_processor_notice(job: ProcessorNotice) -> None:
    if job.next_attempt_at and job.next_attempt_at > timezone.now():
        tasks.pass_on_notice.using(run_after=job.next_attempt_at).enqueue(job.pk)
    else:
        tasks.pass_on_notice.enqueue(job.pk)


def processor_retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff from one minute, capped at six hours."""
    return min(datetime.timedelta(minutes=2 ** max(attempts - 1, 0)), PROCESSOR_MAX_BACKOFF)


def pass_on_notice(*, job_id: int) -> str:
    """Send one erasure, rectification or restriction to its processor through the connector;
    on failure schedule another try, without limit, and record why, so staff see it in the back
    office (Art. 17(2), 19; RG-12). A processor that cannot be told automatically leaves the job
    waiting for staff.

    Returns the job's status. Idempotent: a job already done is not sent again.
    """
    with transaction.atomic():
        job = ProcessorNotice.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ProcessorNotice.Status.PENDING:
            return job.status if job is not None else ""
        job.attempts += 1
        now = timezone.now()
        try:
            call_connector(
                processor=job.processor,
                kind=job.kind,
                target=ProcessorTarget.from_dict(job.identifiers),
                changes=job.changes,
            )
        except ManualStepNeeded as step:
            job.status = ProcessorNotice.Status.MANUAL
            job.last_error = str(step)[:2000]
            job.next_attempt_at = None
            job.save(update_fields=["status", "last_error", "next_attempt_at", "attempts"])
            logger.warning(
                "%s %s at %s needs a manual step", job.kind, job.public_id, job.processor
            )
            return job.status
        except Exception as error:  # noqa: BLE001 - any failure means: try again later
            job.last_error = f"{type(error).__name__}: {error}"[:2000]
            job.next_attempt_at = now + processor_retry_delay(job.attempts)
            job.save(update_fields=["last_error", "next_attempt_at", "attempts"])
            enqueue_processor_notice(job)
            logger.warning(
                "%s %s at %s failed (attempt %s): %s",
                job.kind,
                job.public_id,
                job.processor,
                job.attempts,
                error,
            )
            return job.status
        mark_done(job, actor=CONNECTOR_ACTOR)
    return job.status


def mark_done(job: ProcessorNotice, *, actor: str) -> None:
    job.status = ProcessorNotice.Status.DONE
    job.completed_at = timezone.now()
    job.completed_by = actor
    # What the processor knew the person by, and the values it was sent, are no longer needed.
    job.identifiers = {}
    job.changes = {}
    job.last_error = ""
    job.next_attempt_at = None
    job.save()
    record_event(
        actor=actor,
        action="erase" if job.kind == ProcessorNotice.Kind.ERASURE else "change",
        object_type="rights.ProcessorNotice",
        object_id=job.public_id,
        subject_ref=job.subject_ref,
        reason=f"{job.kind} passed on to {job.processor}",
    )


def retry_processor_notice(*, job_id: int, actor: str) -> bool:
    """Staff try a job again now (a manual one too, e.g. after the connector was configured).
    Returns whether it was queued: not when it is done already (or no longer exists)."""
    with transaction.atomic():
        job = ProcessorNotice.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ProcessorNotice.Status.DONE:
            return False
        job.status = ProcessorNotice.Status.PENDING
        job.next_attempt_at = timezone.now()
        job.save(update_fields=["status", "next_attempt_at"])
        enqueue_processor_notice(job)
    return True


def mark_processor_notice_done(*, job_id: int, actor: str) -> bool:
    """Staff erased, corrected or restricted the data in the processor's own interface: record
    it, with who did it. Returns whether it was recorded: not when the job is done already (or
    no longer exists), so that staff are not told they marked it."""
    with transaction.atomic():
        job = ProcessorNotice.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ProcessorNotice.Status.DONE:
            return False
        mark_done(job, actor=actor)
    return True
