"""The health endpoint for the reverse proxy and monitoring: /health/, JSON, never cached.

Each part answers ok or not, with figures and never personal data: the database (a query), the
shared store (a ping to Redis; required in production), the worker (no due task has waited longer
than WEKST_HEALTH_WORKER_STALE_SECONDS, and when one last finished), the scheduler (its newest
slot, enqueued within WEKST_HEALTH_SCHEDULER_STALE_SECONDS: recover_stuck_tasks is due every five
minutes, so a live scheduler is never silent for long) and the mail queue (how many emails wait
and how many wait for a retry, with the oldest's age). 200 when every part is ok, else 503 naming
the parts that failed. A 200 is not written to the request log (the proxy asks every few seconds);
a 503 is.

/health/web/ is the proxy's question, "can this web process answer a visitor?": the database and
the shared store only. A late scheduler or a stalled worker is for monitoring to raise; were the
proxy to ask /health/, it would take every web host out of service for it and turn the whole site
into 503 pages while nothing a visitor needs is broken.
"""

import datetime

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connection
from django.db.models import Case, Count, F, Min, Q, When
from django.db.models.functions import Greatest
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult, get_date_max

from mail.models import OutgoingEmail
from wekst.models import ScheduledRun
from wekst.ratelimit import STORE_ERRORS


def _seconds_since(moment: datetime.datetime | None, now: datetime.datetime) -> int | None:
    return None if moment is None else max(int((now - moment).total_seconds()), 0)


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def check_shared_store() -> dict:
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        # Per-process counters: fine for development, never for production (wekst.E001).
        return {"ok": not settings.PRODUCTION, "configured": False}
    try:
        backend._cache.get_client(write=True).ping()
    except STORE_ERRORS as error:
        return {"ok": False, "configured": True, "error": type(error).__name__}
    return {"ok": True, "configured": True}


def check_worker(now: datetime.datetime) -> dict:
    # Due since it was enqueued, or since its run_after for a retry that waited on purpose.
    due_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=Greatest("enqueued_at", "run_after"),
    )
    oldest = (
        DBTaskResult.objects.ready()
        .annotate(due_since=due_since)
        .aggregate(oldest=Min("due_since"))["oldest"]
    )
    last = (
        DBTaskResult.objects.filter(finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    waited = _seconds_since(oldest, now)
    return {
        "ok": waited is None or waited <= settings.WEKST_HEALTH_WORKER_STALE_SECONDS,
        "oldest_due_task_waiting_seconds": waited,
        "last_task_finished_seconds_ago": _seconds_since(last, now),
    }


def check_scheduler(now: datetime.datetime) -> dict:
    last = ScheduledRun.objects.order_by("-enqueued_at").first()
    ago = _seconds_since(last.enqueued_at if last else None, now)
    return {
        "ok": ago is not None and ago <= settings.WEKST_HEALTH_SCHEDULER_STALE_SECONDS,
        "last_slot": last.schedule if last else None,
        "last_slot_due_at": last.due_at.isoformat() if last else None,
        "last_enqueued_seconds_ago": ago,
    }


def check_mail_queue(now: datetime.datetime) -> dict:
    figures = OutgoingEmail.objects.aggregate(
        queued=Count("pk", filter=Q(status=OutgoingEmail.Status.QUEUED)),
        retrying=Count("pk", filter=Q(status=OutgoingEmail.Status.RETRYING)),
        oldest=Min("created_at", filter=~Q(status=OutgoingEmail.Status.SENT)),
    )
    return {
        "ok": True,  # a figure to watch; the worker's part says whether it is being worked off
        "queued": figures["queued"],
        "retrying": figures["retrying"],
        "oldest_waiting_seconds": _seconds_since(figures["oldest"], now),
    }


def web_parts() -> dict:
    """What a web process needs to answer a visitor: the database and the shared store."""
    parts = {}
    try:
        parts["database"] = check_database()
    except DatabaseError as error:
        parts["database"] = {"ok": False, "error": type(error).__name__}
    parts["shared_store"] = check_shared_store()
    return parts


def background_parts(*, database_ok: bool) -> dict:
    """The work done outside requests: the worker, the scheduler, the mail queue."""
    now = timezone.now()
    parts = {}
    for name, check in (
        ("worker", check_worker),
        ("scheduler", check_scheduler),
        ("mail_queue", check_mail_queue),
    ):
        if not database_ok:
            parts[name] = {"ok": False, "error": "database unavailable"}
            continue
        try:
            parts[name] = check(now)
        except DatabaseError as error:
            parts[name] = {"ok": False, "error": type(error).__name__}
    return parts


def health_report(*, web_only: bool = False) -> dict:
    parts = web_parts()
    if not web_only:
        parts |= background_parts(database_ok=parts["database"]["ok"])
    failed = [name for name, part in parts.items() if not part["ok"]]
    report = {"status": "fail" if failed else "ok", "failed": failed, "checks": parts}
    if failed:
        report["error"] = f"Unhealthy: {', '.join(failed)}"
    return report


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=503 if report["failed"] else 200)


@require_GET
@never_cache
def health_web(request: HttpRequest) -> JsonResponse:
    report = health_report(web_only=True)
    return JsonResponse(report, status=503 if report["failed"] else 200)
