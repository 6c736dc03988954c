"""The "Book a growth meeting" page with a booking provider's API (issue 20, item 2; policy §3b):
the provider's free times in our own form, and the booking made by our server, so the visitor's
browser never talks to the provider. Whatever goes wrong at the provider, the visitor's input is
kept: a time taken meanwhile asks for another, anything else stores a request staff confirm."""

import datetime
import logging
from itertools import groupby
from urllib.parse import urlencode

from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from leads import selectors, services
from leads.booking import (
    BookingProvider,
    BookingUnavailable,
    SlotTaken,
    book_growth_meeting,
)
from leads.forms import SLOT_TAKEN, MeetingBookingForm
from leads.models import Lead
from wekst.public_forms import HONEYPOT_FIELD, PublicForm, Verdict

logger = logging.getLogger(__name__)

TEMPLATE = "leads/growth_meeting_booking.html"
REQUEST_SOURCE = "growth_meeting_form"
# The confirmation page's link carries only the time booked, signed, for a day.
BOOKED_SALT = "leads.growth_meeting.booked"
BOOKED_MAX_AGE = 24 * 3600
GUARD = PublicForm(name="growth_meeting_booking", limits="LEADS", scope="leads", logger=logger)


def free_slots_or_none(provider: BookingProvider):
    try:
        return provider.free_slots()
    except BookingUnavailable:
        return None


def growth_meeting_booking(request, provider: BookingProvider, slots: list):
    """Show the free times; on POST, book the chosen one (the caller has the provider's times,
    or None when it could not be asked)."""
    if request.method != "POST":
        return _render(request, MeetingBookingForm(slots=slots), provider)
    form = MeetingBookingForm(request.POST, slots=slots or ())
    verdict = GUARD.screen(request, form)
    if verdict is Verdict.BOT:
        return redirect("leads:growth_meeting_thanks")
    if verdict is not Verdict.ACCEPTED:
        return _render(request, form, provider, status=429 if verdict is Verdict.TOO_MANY else 200)
    data = form.cleaned_data
    if not slots:
        # The provider could not be asked, or has no free time left: staff find one.
        return _request_instead(form)
    if data["slot"] not in slots:
        return _taken(request, provider, slots)
    try:
        meeting = book_growth_meeting(
            provider=provider,
            slot=data["slot"],
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            company=data["company"],
            message=data["message"],
            language=get_language(),
        )
    except SlotTaken:
        fresh = free_slots_or_none(provider)
        if not fresh:
            return _request_instead(form)
        return _taken(request, provider, fresh)
    except BookingUnavailable:
        return _request_instead(form)
    token = signing.dumps({"at": meeting.starts_at.isoformat()}, salt=BOOKED_SALT)
    return redirect(f"{reverse('leads:growth_meeting_booked')}?{urlencode({'m': token})}")


def _taken(request, provider, slots):
    """The chosen time was taken meanwhile: the form again, with everything else kept."""
    data = request.POST.copy()
    data.pop("slot", None)
    form = MeetingBookingForm(data, slots=slots)
    form.is_valid()
    form.errors["slot"] = form.error_class([SLOT_TAKEN])
    return _render(request, form, provider, status=409)


def _request_instead(form: MeetingBookingForm):
    """The provider could not book: the same details become a request staff confirm (the page
    without the API, leads.views.GROWTH_MEETING), naming the time the person chose."""
    data = form.cleaned_data
    chosen = timezone.localtime(data["slot"].starts_at)
    moment = formats.date_format(chosen, _("l j F Y, H:i"))
    services.submit_enquiry(
        kind=Lead.Kind.MEETING_REQUEST,
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        company=data["company"],
        message=f"{_('Preferred times')}: {moment} ({chosen.tzname()})\n{data['message']}",
        source=REQUEST_SOURCE,
        language=get_language(),
    )
    return redirect(f"{reverse('leads:growth_meeting_thanks')}?booking=unavailable")


def _render(request, form: MeetingBookingForm, provider: BookingProvider, status: int = 200):
    """The times grouped by day, in the visitor's language and the site's time zone."""
    choices = {widget.data["value"]: widget for widget in form["slot"]}
    days = [
        (formats.date_format(day, _("l j F")), [choices[key] for key, _slot in items])
        for day, items in groupby(
            sorted(form.slots.items(), key=lambda item: item[1].starts_at),
            key=lambda item: timezone.localtime(item[1].starts_at).date(),
        )
    ]
    context = {
        "form": form,
        "days": days,
        "activity": selectors.activity_of(Lead.Kind.BOOKING),
        "recipient_notice": selectors.recipient_notice(
            activity_key="meetings", recipient_key=provider.key
        ),
        "honeypot_field": HONEYPOT_FIELD,
    }
    return render(request, TEMPLATE, context, status=status)


@require_safe
def growth_meeting_booked(request):
    """The confirmation: the time booked, read from the signed link (no lookup, no cookie)."""
    try:
        data = signing.loads(request.GET.get("m", ""), salt=BOOKED_SALT, max_age=BOOKED_MAX_AGE)
        starts_at = timezone.localtime(datetime.datetime.fromisoformat(data["at"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        starts_at = None
    return render(request, "leads/growth_meeting_booked.html", {"starts_at": starts_at})
