"""The enquiry form pages (contact, information request, and each clinic's), with their thank-you
pages: one view, form_page, parameterised by a FormPage."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from django import forms
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from leads import booking, booking_views, selectors, services
from leads.forms import InformationRequestForm, LeadForm, MeetingRequestForm
from leads.models import Lead
from wekst.public_forms import HONEYPOT_FIELD, PublicForm, Verdict

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FormPage:
    """One enquiry form page: its form, its template, the source its leads record and where the
    visitor goes once it is sent. Without `submit`, the lead is Wekst's own (submit_enquiry); a
    clinic's page (clinics.views.clinic_contact) passes its own, and what its template shows
    besides the form (`context`)."""

    kind: str
    form_class: type[forms.Form]
    template: str
    source: str
    thanks: str
    submit: Callable[[forms.Form], object] | None = None
    # Read only when the page is shown, so a submission that is let through costs no more.
    context: Callable[[], Mapping[str, object]] = dict

    @property
    def guard(self) -> PublicForm:
        # All enquiry forms share one budget per client and per address (LEADS_RATE_LIMIT_*).
        return PublicForm(name=self.source, limits="LEADS", scope="leads", logger=logger)


CONTACT = FormPage(
    Lead.Kind.CONTACT,
    LeadForm,
    "leads/contact.html",
    "contact_form",
    reverse_lazy("leads:contact_thanks"),
)
INFORMATION = FormPage(
    Lead.Kind.INFORMATION_REQUEST,
    InformationRequestForm,
    "leads/information.html",
    "information_form",
    reverse_lazy("leads:information_thanks"),
)

# Without Trafft's API the page asks for a meeting; staff confirm a time (issue 20, §3b).
GROWTH_MEETING = FormPage(
    Lead.Kind.MEETING_REQUEST,
    MeetingRequestForm,
    "leads/growth_meeting.html",
    "growth_meeting_form",
    reverse_lazy("leads:growth_meeting_thanks"),
)

# With the API, when the provider has no free time online or cannot be asked: the same request
# form, saying why.
GROWTH_MEETING_NO_TIMES = replace(GROWTH_MEETING, context=lambda: {"booking_note": "no_times"})
GROWTH_MEETING_DOWN = replace(GROWTH_MEETING, context=lambda: {"booking_note": "unavailable"})


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request):
    return form_page(request, CONTACT)


@require_http_methods(["GET", "HEAD", "POST"])
def information(request):
    return form_page(request, INFORMATION)


@require_http_methods(["GET", "HEAD", "POST"])
def growth_meeting(request):
    """With a booking provider's API (leads.booking), its free times in our form; without it, or
    when it has no times or cannot be asked, the request staff confirm. A request form posted
    (no `slot`) is always taken as one, whatever the provider's state meanwhile."""
    provider = booking.booking_provider()
    if provider is None or (request.method == "POST" and "slot" not in request.POST):
        return form_page(request, GROWTH_MEETING)
    slots = booking_views.free_slots_or_none(provider)
    if request.method != "POST" and not slots:
        return form_page(request, GROWTH_MEETING_NO_TIMES if slots == [] else GROWTH_MEETING_DOWN)
    return booking_views.growth_meeting_booking(request, provider, slots)


@require_safe
def thanks(request):
    return render(request, "leads/thanks.html")


@require_safe
def growth_meeting_thanks(request):
    unavailable = request.GET.get("booking") == "unavailable"
    return render(request, "leads/growth_meeting_thanks.html", {"booking_unavailable": unavailable})


def form_page(request, page: FormPage):
    """Show the form; on POST, let the guard screen it, then store the enquiry and thank."""
    if request.method != "POST":
        return _render(request, page, page.form_class())
    form = page.form_class(request.POST)
    verdict = page.guard.screen(request, form)
    if verdict is Verdict.BOT:
        return redirect(page.thanks)
    if verdict is not Verdict.ACCEPTED:
        return _render(request, page, form, status=429 if verdict is Verdict.TOO_MANY else 200)
    if page.submit is not None:
        page.submit(form)
    else:
        _submit_enquiry(page, form)
    return redirect(page.thanks)


def _submit_enquiry(page: FormPage, form: forms.Form) -> None:
    data = form.cleaned_data
    services.submit_enquiry(
        kind=page.kind,
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        company=data["company"],
        role=data["role"],
        message=data["message"],
        source=page.source,
        language=get_language(),
        marketing_consent=data["marketing_consent"],
        marketing_consent_wording=form.fields["marketing_consent"].label,
    )


def _render(request, page: FormPage, form, status: int = 200):
    context = {
        **page.context(),
        "form": form,
        "activity": selectors.activity_of(page.kind),
        "honeypot_field": HONEYPOT_FIELD,
    }
    return render(request, page.template, context, status=status)
