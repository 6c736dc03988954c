"""Consent figures without tracking anyone: counts and rates from the server-side log (CON-09).

Only aggregates leave the database: every figure is a COUNT grouped by day or banner version, so
no consent id, address or single decision reaches the page (GDPR Art. 5(1)(c)). The rates are of
first choices on the banner: a later change in the cookie settings is not a second visitor.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from consent.models import ConsentDecision

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class ConsentFigures:
    """One row: a day or a banner version, with its counts and the rates they give."""

    label: str
    decisions: int
    accepted: int
    rejected: int
    chose: int
    analytics: int
    marketing: int
    embedded: int
    gpc: int

    def _rate(self, count: int) -> float:
        return round(100 * count / self.decisions, 1) if self.decisions else 0.0

    @property
    def acceptance_rate(self) -> float:
        return self._rate(self.accepted)

    @property
    def rejection_rate(self) -> float:
        return self._rate(self.rejected)

    @property
    def analytics_rate(self) -> float:
        return self._rate(self.analytics)

    @property
    def marketing_rate(self) -> float:
        return self._rate(self.marketing)

    @property
    def embedded_rate(self) -> float:
        return self._rate(self.embedded)

    @property
    def gpc_share(self) -> float:
        return self._rate(self.gpc)


_COUNTS = {
    "decisions": Count("pk"),
    "accepted": Count("pk", filter=Q(action=ConsentDecision.Action.ACCEPT_ALL)),
    "rejected": Count("pk", filter=Q(action=ConsentDecision.Action.REJECT_ALL)),
    "chose": Count("pk", filter=Q(action=ConsentDecision.Action.CHOOSE)),
    "analytics": Count("pk", filter=Q(analytics=True)),
    "marketing": Count("pk", filter=Q(marketing=True)),
    "embedded": Count("pk", filter=Q(embedded=True)),
    "gpc": Count("pk", filter=Q(gpc=True)),
}


def _first_choices(*, since: datetime.datetime):
    return ConsentDecision.objects.filter(
        method=ConsentDecision.Method.BANNER, decided_at__gte=since
    ).order_by()


def _since(days: int, now: datetime.datetime | None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=days)


def consent_totals(
    *, days: int = DEFAULT_DAYS, now: datetime.datetime | None = None
) -> ConsentFigures:
    """The figures of the last `days` days, all versions together (one query)."""
    row = _first_choices(since=_since(days, now)).aggregate(**_COUNTS)
    return ConsentFigures(label="", **row)


def consent_by_day(
    *, days: int = DEFAULT_DAYS, now: datetime.datetime | None = None
) -> list[ConsentFigures]:
    """The figures per day (in the site's time zone), newest first (one query)."""
    rows = (
        _first_choices(since=_since(days, now))
        .annotate(day=TruncDate("decided_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(**_COUNTS)
        .order_by("-day")
    )
    return [ConsentFigures(label=row.pop("day").isoformat(), **row) for row in rows]


def consent_by_banner_version(
    *, days: int = DEFAULT_DAYS, now: datetime.datetime | None = None
) -> list[ConsentFigures]:
    """The figures per banner version (one query)."""
    rows = (
        _first_choices(since=_since(days, now))
        .values("banner_version")
        .annotate(**_COUNTS)
        .order_by("-banner_version")
    )
    return [ConsentFigures(label=row.pop("banner_version"), **row) for row in rows]
