"""Every public form is guarded alike (wekst.public_forms), and read-only records stay read-only
in the back office (audit.admin.ReadOnlyAdminMixin)."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from audit.admin import ReadOnlyAdminMixin
from clinics.tests.factories import make_clinic
from content.tests.factories import comment_data, make_article
from leads.models import Lead
from leads.tests.factories import contact_form_data
from rights.tests.factories import portal_data
from wekst.public_forms import TOO_MANY_MESSAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

TYPED = "Typed-before-the-limit"
CLINIC_FORM = "/clinics/tannlege-nord/contact/"


def _clinic_form_data(**overrides) -> dict:
    data = contact_form_data(**overrides)
    data.pop("marketing_consent", None)
    return data


# (url, what a person types, the prefix of the form's limit settings, what it needs first)
PUBLIC_FORMS = {
    "contact": ("/contact/", contact_form_data(message=TYPED), "LEADS", None),
    "information request": ("/information/", contact_form_data(message=TYPED), "LEADS", None),
    "clinic enquiry": (CLINIC_FORM, _clinic_form_data(message=TYPED), "LEADS", make_clinic),
    "privacy portal": ("/privacy-requests/", portal_data(details=TYPED), "RIGHTS", None),
    "comment": (
        "/articles/growing-a-dental-clinic/",
        comment_data(text=TYPED),
        "CONTENT",
        make_article,
    ),
    "sign-up": (
        "/account/signup/",
        {"username": "kari", "email": "kari@example.no", "name": TYPED, "age_confirmed": "on"},
        "CONTENT",
        None,
    ),
    "sign-in": ("/account/login/", {"username": TYPED, "password": "wrong"}, "CONTENT", None),
    "child report": (
        "/children/report/",
        {"email": "child@example.no", "details": TYPED, "reporter_email": "parent@example.no"},
        "CONTENT",
        None,
    ),
}


@pytest.mark.parametrize("form", PUBLIC_FORMS)
def test_lea_04_every_public_form_answers_429_with_the_one_message_keeping_what_was_typed(
    client, settings, form
):
    url, typed, limits, prepare = PUBLIC_FORMS[form]
    if prepare is not None:
        prepare()
    setattr(settings, f"{limits}_RATE_LIMIT_PER_IP", 1)
    client.post(url, {})  # an empty submission counts too: the limit is on sending

    response = client.post(url, typed)

    assert response.status_code == 429
    assert str(TOO_MANY_MESSAGE) in response.text
    assert TYPED in response.text


def test_lea_04_the_clinic_forms_and_the_contact_form_share_one_budget_per_client(client, settings):
    make_clinic()
    settings.LEADS_RATE_LIMIT_PER_IP = 1
    assert client.post("/contact/", contact_form_data()).status_code == 302

    response = client.post(CLINIC_FORM, _clinic_form_data(message=TYPED))

    assert response.status_code == 429
    assert TYPED in response.text
    assert Lead.objects.filter(clinic__isnull=False).count() == 0
    # Another client is not affected.
    other = client.post(CLINIC_FORM, _clinic_form_data(), REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 302


READ_ONLY_RECORDS = {
    "audit.auditentry",
    "backups.backuprecord",
    "consent.bannertext",
    "consent.consentdecision",
    "declaration.policynotice",
    "declaration.policyversion",
    "newsletter.delivery",
    "newsletter.subscription",
    "newsletter.suppression",
    "retention.processorcheck",
    "retention.sweeprun",
    "rights.objection",
    "rights.processornotice",
    "rights.restriction",
}


def test_sec_01_records_the_system_writes_are_read_only_even_for_a_superuser(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    read_only = {
        model._meta.label_lower: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ReadOnlyAdminMixin)
    }

    assert set(read_only) == READ_ONLY_RECORDS
    for label, model_admin in read_only.items():
        assert model_admin.has_view_permission(request), label
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label
