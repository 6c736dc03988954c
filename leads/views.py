"""The contact page and the information request page, each with its thank-you page."""

import logging
from dataclasses import dataclass

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from leads import selectors, services
from leads.forms import HONEYPOT_FIELD, InformationRequestForm, LeadForm
from leads.models import Lead
from wekst.ratelimit import client_ip

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FormPage:
    kind: str
    form_class: type[forms.Form]
    template: str
    source: str
    thanks: str


CONTACT = FormPage(
    Lead.Kind.CONTACT, LeadForm, "leads/contact.html", "contact_form", "leads:contact_thanks"
)
INFORMATION = FormPage(
    Lead.Kind.INFORMATION_REQUEST,
    InformationRequestForm,
    "leads/information.html",
    "information_form",
    "leads:information_thanks",
)


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request):
    return _form_page(request, CONTACT)


@require_http_methods(["GET", "HEAD", "POST"])
def information(request):
    return _form_page(request, INFORMATION)


@require_safe
def thanks(request):
    return render(request, "leads/thanks.html")


def _form_page(request, page: FormPage):
    if request.method != "POST":
        return _render(request, page, page.form_class())
    if request.POST.get(HONEYPOT_FIELD):
        # A bot filled the field no person sees: it gets the same answer, nothing is stored.
        logger.info("Honeypot filled on the %s; submission dropped", page.source)
        return redirect(page.thanks)
    form = page.form_class(request.POST)
    if not services.ip_may_submit(ip=client_ip(request)):
        return _too_many(request, page, form)
    if not form.is_valid():
        return _render(request, page, form)
    data = form.cleaned_data
    if not services.address_may_submit(email=data["email"]):
        return _too_many(request, page, form)
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
    return redirect(page.thanks)


def _too_many(request, page: FormPage, form):
    logger.warning("Rate limit reached on the %s", page.source)
    form.add_error(
        None,
        _(
            "You have sent this form too many times in a short while. Nothing was lost: what you "
            "typed is still below. Please wait a while and send it again."
        ),
    )
    return _render(request, page, form, status=429)


def _render(request, page: FormPage, form, status: int = 200):
    context = {
        "form": form,
        "activity": selectors.activity_of(page.kind),
        "honeypot_field": HONEYPOT_FIELD,
    }
    return render(request, page.template, context, status=status)
