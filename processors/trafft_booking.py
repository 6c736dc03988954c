"""Booking a growth meeting at Trafft from our own page, server to server (policy §3b; issue 20).

Trafft's API v2 as ../shared/providers.md gives it (trafft.com/docs/custom-features/api/, Trafft's
Postman workspace), with the token and the call of processors.trafft (one client, one token):

    GET  {base}/available-times?service=…[&employee=…]   upcoming free times (no date filter)
    GET  {base}/customers?page=&limit=                    the customer, found by address
    POST {base}/customers  {"first_name", "last_name", "email", "phone"}
    POST {base}/bookings   {"service", "employee", "customer", "date": "YYYY-MM-DD", "time": "HH:mm"}

providers.md is silent on three things this needs, so the guesses are small and written here:
- the shape of /available-times: read as a list (bare, or under "data" like every list) of
  objects with `date` and `time` (the fields POST /bookings takes) or `start_date_time`, and an
  optional `employee`; or as an object keyed by date of times ("HH:mm", or "HH:mm" -> a list
  whose entries start with an employee id);
- the time zone of those times: the site's (TIME_ZONE, Europe/Oslo), the tenant's setting;
- the answer to a taken time: any 4xx from POST /bookings, after which the free times are asked
  again; a time no longer among them is taken (SlotTaken), anything else goes to staff.
A created object is read as the object (or under "data") with its `id`, like a single GET.
"""

from __future__ import annotations

import datetime
import logging
import uuid
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from leads.booking import Booked, BookingUnavailable, Slot, SlotTaken
from processors import trafft
from processors.connectors import ConnectorFailed, ManualStepNeeded, Response

logger = logging.getLogger(__name__)

# A visitor waits for these calls: each gets a short timeout, and the customer list is read only
# so far (past it the request goes to staff rather than keep the visitor waiting).
TIMEOUT = 5
MAX_CUSTOMER_PAGES = 5
# The free times offered: at most this many, none starting sooner than the notice below.
MAX_SLOTS = 60
MIN_NOTICE = datetime.timedelta(hours=2)


class TrafftBooking:
    key = trafft.PROVIDER

    def is_configured(self) -> bool:
        return trafft.api_configured() and bool(settings.TRAFFT_SERVICE_ID)

    def free_slots(self) -> list[Slot]:
        query = {"service": settings.TRAFFT_SERVICE_ID}
        if settings.TRAFFT_EMPLOYEE_ID:
            query["employee"] = settings.TRAFFT_EMPLOYEE_ID
        answer = _json(_call("GET", f"/available-times?{urlencode(query)}"), "free times")
        earliest = timezone.now() + MIN_NOTICE
        slots = sorted(
            {s for s in parse_available_times(answer) if s.starts_at >= earliest},
            key=lambda s: (s.starts_at, s.employee),
        )
        return slots[:MAX_SLOTS]

    def book(self, *, slot: Slot, name: str, email: str, phone: str) -> Booked:
        employee = slot.employee or settings.TRAFFT_EMPLOYEE_ID
        if not employee:
            raise _unavailable("no employee for the time (set TRAFFT_EMPLOYEE_ID)")
        customer = _customer_id(name=name, email=email, phone=phone)
        local = timezone.localtime(slot.starts_at, _zone())
        response = _call(
            "POST",
            "/bookings",
            payload={
                "service": _as_id(settings.TRAFFT_SERVICE_ID),
                "employee": _as_id(employee),
                "customer": _as_id(customer),
                "date": local.strftime("%Y-%m-%d"),
                "time": local.strftime("%H:%M"),
            },
        )
        if 400 <= response.status < 500:
            if slot not in self.free_slots():
                raise SlotTaken
            raise _unavailable(f"booking refused with HTTP {response.status}")
        booking = _json(response, "booking")
        booking_id = _id_of(booking) or f"trafft-booked-{uuid.uuid4().hex}"
        return Booked(booking_id=booking_id, starts_at=slot.starts_at)


TRAFFT_BOOKING = TrafftBooking()


def _as_id(value: str) -> int | str:
    # Trafft's ids are numbers in its JSON; a numeric setting is sent as one.
    return int(value) if value.isdigit() else value


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _unavailable(reason: str) -> BookingUnavailable:
    # The reason names no person: it goes to the log as it is.
    logger.warning("Trafft booking unavailable: %s", reason)
    return BookingUnavailable(reason)


def _call(method: str, path: str, payload: dict | None = None) -> Response:
    try:
        return trafft.api_call(method, path, payload=payload, timeout=TIMEOUT)
    except (ConnectorFailed, ManualStepNeeded) as error:
        raise _unavailable(f"{method} {path.split('?')[0]}: {error}") from error


def _json(response: Response, what: str):
    if not 200 <= response.status < 300:
        raise _unavailable(f"{what}: HTTP {response.status}")
    try:
        return response.json()
    except ValueError as error:
        raise _unavailable(f"{what}: not JSON") from error


def _id_of(answer) -> str:
    if isinstance(answer, dict) and isinstance(answer.get("data"), dict):
        answer = answer["data"]
    given = answer.get("id") if isinstance(answer, dict) else None
    return str(given) if isinstance(given, int | str) and str(given).strip() else ""


def _customer_id(*, name: str, email: str, phone: str) -> str:
    """Trafft's customer with this address, or a new one with what the person gave us."""
    try:
        found = trafft.find_customer_ids((email,), max_pages=MAX_CUSTOMER_PAGES, timeout=TIMEOUT)
    except (ConnectorFailed, ManualStepNeeded) as error:
        raise _unavailable(f"customer look-up: {error}") from error
    if found:
        return found[0]
    fields = {**trafft.customer_changes({"name": name}), "email": email}
    if phone:
        fields["phone"] = phone
    customer = _id_of(_json(_call("POST", "/customers", payload=fields), "customer"))
    if not customer:
        raise _unavailable("customer created without an id")
    return customer


def parse_available_times(answer) -> list[Slot]:
    """The free times in Trafft's answer (its shape is a documented guess: see the module)."""
    if isinstance(answer, dict) and "data" in answer:
        answer = answer["data"]
    slots: list[Slot] = []
    if isinstance(answer, list):
        for item in answer:
            if not isinstance(item, dict):
                continue
            moment = item.get("start_date_time") or f"{item.get('date')} {item.get('time')}"
            slots += _slot(str(moment), item.get("employee"))
    elif isinstance(answer, dict):
        for day, times in answer.items():
            entries = times.items() if isinstance(times, dict) else ((t, None) for t in times)
            for time, who in entries:
                employee = who[0] if isinstance(who, list) and who else None
                if isinstance(employee, list):
                    employee = employee[0] if employee else None
                slots += _slot(f"{day} {time}", employee)
    return slots


def _slot(moment: str, employee) -> list[Slot]:
    try:
        naive = datetime.datetime.fromisoformat(moment.strip().replace("T", " ")[:16])
    except ValueError:
        return []
    employee = str(employee) if isinstance(employee, int | str) and employee != "" else ""
    return [Slot(starts_at=naive.replace(tzinfo=_zone()), employee=employee)]
