"""The retention sweep, and legal holds (policy §7; GDPR Art. 5(1)(e), 5(2), 17(3)(e); RET-01, RET-02).

This code deletes personal data on its own, every day. What keeps it safe:
- it erases only what a declared rule and its registry entry say has expired (retention.registry),
  computed from one `now` fixed at the start of the run, and never anything whose subject is on
  legal hold or has an open privacy request; each batch re-checks that in its own transaction,
  so a hold placed or a request opened while the sweep runs is respected;
- it works in bounded batches (RETENTION_BATCH_SIZE ids), one short transaction each, so it never
  holds a lock long and the site is not blocked while it runs;
- every committed batch is final and counted in the same transaction, so the sweep is safe to
  interrupt at any moment and to run again: a rerun finds only what is still due (idempotent);
- it leaves evidence without personal data: a SweepRun with a SweepCount per entry (rule, model,
  cutoff, counts, the references of the holds that applied, the erasures passed on to
  processors), and an audit entry per batch with counts, not data;
- what it erases, it also erases at the processors that received it and no longer need it: one
  retried erasure notice per processor per person, queued in the batch's transaction
  (retention.passing_on; RT-09).
"""

from __future__ import annotations

import datetime
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from audit.services import actor_of, record_event
from declaration.selectors import get_declaration
from retention import passing_on, selectors
from retention.models import LegalHold, SweepCount, SweepRun
from retention.registry import Cutoff, Sweep, cutoff_for, sweeps
from subjects.models import Subject

logger = logging.getLogger(__name__)

ACTOR = "system:retention"
# A run that has not finished a batch for this long was stopped (killed, machine restarted).
STALE_AFTER = datetime.timedelta(minutes=15)
# Candidate ids read per query: this many batches' worth.
CHUNK_BATCHES = 100
# Records per batch where the erasure is passed on to processors (RT-09).
PASSING_ON_BATCH_SIZE = 100


def run_sweep(
    *, trigger: str, batch_size: int | None = None, now: datetime.datetime | None = None
) -> SweepRun:
    """Erase (or anonymise) every record whose retention period has ended; returns the evidence.

    Runs every entry of the registry in order, in batches of `batch_size` (RETENTION_BATCH_SIZE),
    each batch its own transaction. Stopped half way (an exception, Ctrl-C, a worker restart), the
    run is marked interrupted or failed and the next run carries on where it stopped.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    SweepRun.objects.filter(
        status=SweepRun.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    ).update(status=SweepRun.Status.INTERRUPTED)
    run = SweepRun.objects.create(
        started_at=now, heartbeat_at=timezone.now(), trigger=trigger, batch_size=batch_size
    )
    try:
        for sweep in sweeps():
            _sweep_entry(run=run, sweep=sweep, now=now, batch_size=batch_size)
    except BaseException as error:
        stopped = isinstance(error, KeyboardInterrupt | SystemExit)
        status = SweepRun.Status.INTERRUPTED if stopped else SweepRun.Status.FAILED
        SweepRun.objects.filter(pk=run.pk).update(status=status, finished_at=timezone.now())
        logger.warning("Retention sweep %s stopped (%s)", run.pk, status)
        raise
    SweepRun.objects.filter(pk=run.pk).update(
        status=SweepRun.Status.FINISHED, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _sweep_entry(*, run: SweepRun, sweep: Sweep, now: datetime.datetime, batch_size: int) -> None:
    started = time.monotonic()
    rule = get_declaration().retention_rules[sweep.rule]
    cutoff = cutoff_for(rule, now)
    due = sweep.due(cutoff=cutoff, now=now)
    count = SweepCount.objects.create(
        run=run,
        rule=sweep.rule,
        model=sweep.model,
        action=sweep.action,
        cutoff=cutoff.moment,
        kept={keep.name: due.filter(keep.matching()).count() for keep in selectors.keeps_of(sweep)},
        legal_holds=selectors.holds_applying(sweep, due),
    )
    erasable = selectors.erasable(sweep, cutoff=cutoff, now=now)
    if _reaches_processors(sweep):
        # Finding what the processors hold of each person, before and after, costs some
        # milliseconds a person: smaller batches keep each transaction (and its locks) short.
        batch_size = min(batch_size, PASSING_ON_BATCH_SIZE)
    # Candidates are read in large chunks outside any transaction (one query can be costly: the
    # subject index is checked against every table that points at it), then erased in small
    # batches; keyset pagination means a chunk never rescans what the sweep has passed.
    chunk_size = batch_size * CHUNK_BATCHES
    last_id = None
    while True:
        candidates = erasable if last_id is None else erasable.filter(pk__gt=last_id)
        chunk = list(candidates.order_by("pk").values_list("pk", flat=True)[:chunk_size])
        for start in range(0, len(chunk), batch_size):
            ids = chunk[start : start + batch_size]
            _erase_batch(run=run, count=count, sweep=sweep, ids=ids, cutoff=cutoff, now=now)
        if len(chunk) < chunk_size:
            break
        last_id = chunk[-1]
    SweepCount.objects.filter(pk=count.pk).update(seconds=time.monotonic() - started)
    logger.info(
        "Retention rule %s on %s: %s %s",
        sweep.rule,
        sweep.model,
        SweepCount.objects.get(pk=count.pk).erased,
        "cleared" if sweep.clear_fields else "erased",
    )


def _erase_batch(
    *,
    run: SweepRun,
    count: SweepCount,
    sweep: Sweep,
    ids: list,
    cutoff: Cutoff,
    now: datetime.datetime,
) -> int:
    """Erase one batch in one short transaction, with its evidence and audit entry."""
    started = time.monotonic()
    with transaction.atomic():
        # Locked and checked again: still due, still not held, no request opened meanwhile.
        still_erasable = selectors.erasable(sweep, cutoff=cutoff, now=now).filter(pk__in=ids)
        locked = list(still_erasable.select_for_update().values_list("pk", flat=True))
        if locked:
            # After waiting for a row's lock PostgreSQL re-checks only that row, not the
            # subqueries of the test (a lead that now points at a subject, a hold, a request):
            # the test is run again as a new statement, which sees what committed meanwhile.
            locked = list(still_erasable.filter(pk__in=locked).values_list("pk", flat=True))
        records = sweep.model_class()._base_manager.filter(pk__in=locked)
        # What the processors hold of these people is found before the records go (RT-09).
        before = (
            passing_on.held_by_processors(records.values_list(sweep.subject_path, flat=True))
            if _reaches_processors(sweep) and locked
            else {}
        )
        cascaded: dict[str, int] = {}
        if sweep.clear_fields:
            erased = records.update(**sweep.clear_fields)
        elif sweep.unreferenced:
            # Locked and proven unreferenced above: Django's collector would find nothing to
            # cascade to, at the cost of a query per table that could point here.
            erased = records._raw_delete(records.db) if locked else 0
        else:
            _total, per_model = records.delete() if locked else (0, {})
            erased = per_model.pop(sweep.model, 0)
            cascaded = {label: n for label, n in per_model.items() if n}
        notices = passing_on.pass_on_erasures(before=before, sweep_run=run) if before else {}
        evidence = SweepCount.objects.select_for_update().get(pk=count.pk)
        evidence.erased += erased
        evidence.batches += 1
        for label, n in cascaded.items():
            evidence.cascaded[label] = evidence.cascaded.get(label, 0) + n
        for processor, n in notices.items():
            evidence.notices[processor] = evidence.notices.get(processor, 0) + n
        evidence.save(update_fields=["erased", "batches", "cascaded", "notices"])
        SweepRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
        verb = "cleared" if sweep.clear_fields else "erased"
        record_event(
            actor=ACTOR,
            action="change" if sweep.clear_fields else "erase",
            object_type=sweep.model,
            object_id=f"sweep-{run.pk}",
            reason=(
                f"Retention rule {sweep.rule}: {erased} {verb} in batch "
                f"{evidence.batches}, cutoff {cutoff.moment:%Y-%m-%d %H:%M}"
                + (f", with {sum(cascaded.values())} linked records" if cascaded else "")
                + (f", {sum(notices.values())} passed on to processors" if notices else "")
            ),
        )
    elapsed = time.monotonic() - started
    SweepCount.objects.filter(pk=count.pk).update(
        longest_batch_seconds=Greatest(F("longest_batch_seconds"), elapsed)
    )
    return erased


def _reaches_processors(sweep: Sweep) -> bool:
    """Whether erasing these records can leave a processor holding data nothing needs: records
    of a person, deleted (cleared fields were never sent to a processor; an index entry swept
    has no records left to have sent)."""
    return not (sweep.clear_fields or sweep.unreferenced) and sweep.subject_path not in (
        None,
        "pk",
    )


def place_legal_hold(*, subject: Subject, reason: str, user) -> LegalHold:
    """Stop retention for everything about `subject` until the hold is lifted (Art. 17(3)(e))."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A legal hold needs its reason.")
    with transaction.atomic():
        hold = LegalHold.objects.create(subject=subject, reason=reason, placed_by=user)
        record_event(
            actor=actor_of(user),
            action="create",
            object_type="retention.LegalHold",
            object_id=hold.public_id,
            subject_ref=subject.public_id,
            reason="legal hold placed",
        )
    return hold


def lift_legal_hold(*, hold: LegalHold, user) -> LegalHold:
    """Lift a hold: from the next sweep on, the subject's records follow their rules again."""
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is None:
            hold.lifted_at = timezone.now()
            hold.lifted_by = user
            hold.save(update_fields=["lifted_at", "lifted_by"])
            record_event(
                actor=actor_of(user),
                action="change",
                object_type="retention.LegalHold",
                object_id=hold.public_id,
                subject_ref=hold.subject.public_id,
                reason="legal hold lifted",
            )
    return hold
