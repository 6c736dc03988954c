"""How a GDPR time limit of months is counted: a request is due one calendar month from receipt,
extendable by two (Art. 12(3)); an Art. 14 notice within one month of obtaining the data.

A month ends on the same date of the following month, or on its last day when that month is
shorter (31 January -> 28/29 February): Regulation 1182/71 Art. 3, checklist RG-04. The request
is due at the end of that day, in the site's time zone. Used by the rights app and the leads'
Art. 14 notices alike, so it sits with the utilities below both (docs/overview.md).
"""

import calendar
import datetime

from django.utils import timezone

ONE_MONTH = 1
MAX_EXTENSION_MONTHS = 2


def add_months(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def due_at(
    received_at: datetime.datetime, *, extension_months: int = 0, days: int | None = None
) -> datetime.datetime:
    """The end of the day a request is due: one month after receipt (plus any extension), or
    `days` after receipt when a shorter deadline applies (a report that a child's data was given)."""
    received_on = timezone.localtime(received_at).date()
    if days is not None:
        return end_of_day(received_on + datetime.timedelta(days=days))
    return end_of_day(add_months(received_on, ONE_MONTH + extension_months))
