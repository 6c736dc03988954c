"""The processor register (PRO-01) and integrations that cannot run without their processor's
agreement and transfer safeguard on record (PRO-02): in `manage.py check`, at run time, and on
the recipient's page in the back office."""

import datetime

import pytest
from django.core import checks
from django.core.files.base import ContentFile
from django.core.management import call_command

from processors.checks import check_integrations_have_contracts
from processors.fake import Booking, FakeBookingProvider
from processors.models import DataFlow, Recipient
from processors.selectors import integration_enabled, recipient_blockers
from processors.services import sync_register
from processors.testing import put_on_record

pytestmark = pytest.mark.django_db


def test_pro_01_the_register_holds_every_recipient_of_the_declaration_with_its_role_per_flow():
    created, updated = sync_register()

    assert (created, updated) == (Recipient.objects.count(), 0)
    trafft = Recipient.objects.get(key="trafft")
    assert (trafft.role, trafft.countries, trafft.declared_safeguard) == (
        "processor",
        ["RS"],
        "scc",
    )
    # Google: a processor for analytics, an independent controller for advertising (PT-07).
    assert Recipient.objects.get(key="google_analytics").role == "processor"
    assert Recipient.objects.get(key="google_ads").role == "independent_controller"
    # Embedded-content providers are not processors.
    assert Recipient.objects.get(key="youtube").role == "independent_controller"
    flow = DataFlow.objects.get(recipient=trafft, activity="meetings")
    assert flow.role == "processor"
    assert set(flow.data_categories) == {"identity", "contact", "booking"}


def test_pro_01_syncing_again_keeps_what_is_on_record():
    [trafft] = put_on_record("trafft")

    assert sync_register() == (0, Recipient.objects.count())

    trafft.refresh_from_db()
    assert trafft.dpa_signed_on == datetime.date(2026, 1, 15)
    assert trafft.safeguard == "scc"


def test_pro_01_the_sync_command_fills_the_register():
    call_command("sync_processor_register", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Recipient.objects.filter(key="email_provider", declared=True).exists()


# What blocks an integration -------------------------------------------------------------------


def test_pro_02_trafft_is_blocked_without_its_dpa_and_without_sccs_for_serbia():
    sync_register()
    problems = recipient_blockers("trafft")
    assert any("No data processing agreement on record" in p for p in problems)
    assert any("Transfer to RS without a safeguard" in p for p in problems)

    trafft = Recipient.objects.get(key="trafft")
    trafft.dpa_signed_on = datetime.date(2026, 1, 1)
    trafft.dpa_document.save("dpa.pdf", ContentFile(b"%PDF"), save=False)
    trafft.safeguard = "adequacy"  # Serbia has no adequacy decision
    trafft.save()
    problems = recipient_blockers("trafft")
    assert any("RS has no adequacy decision" in p for p in problems)

    trafft.safeguard = "scc"
    trafft.save()
    assert recipient_blockers("trafft") == [
        "The signed Standard Contractual Clauses (with the transfer impact assessment) are not "
        "on file."
    ]

    trafft.safeguard_document.save("scc.pdf", ContentFile(b"%PDF"), save=True)
    assert recipient_blockers("trafft") == []


def test_pro_02_remote_access_from_outside_the_eea_needs_a_safeguard_and_a_declaration():
    [email_provider] = put_on_record("email_provider")  # EEA only: complete without a safeguard
    assert recipient_blockers("email_provider") == []

    email_provider.remote_access_countries = "US"
    email_provider.save()

    problems = recipient_blockers("email_provider")
    assert any("accessed from US, which the declaration does not name" in p for p in problems)
    assert any("Transfer to US without a safeguard" in p for p in problems)


def test_pro_02_a_dpf_transfer_needs_the_dpf_list_entry_checked():
    [ga] = put_on_record("google_analytics")
    ga.safeguard_checked_on = None
    ga.save()

    assert recipient_blockers("google_analytics") == [
        "The entity's active entry on the Data Privacy Framework List was never checked."
    ]


def test_pro_02_an_integration_is_enabled_only_when_switched_on_and_nothing_blocks_it(settings):
    sync_register()
    settings.GA4_MEASUREMENT_ID = ""
    put_on_record("google_analytics")
    assert not integration_enabled("google_analytics")  # on record, but switched off

    settings.GA4_MEASUREMENT_ID = "G-TEST1234"
    assert integration_enabled("google_analytics")

    Recipient.objects.filter(key="google_analytics").update(dpa_signed_on=None)
    assert not integration_enabled("google_analytics")


# The system check ------------------------------------------------------------------------------


def test_pro_02_check_errors_in_production_when_an_integration_lacks_its_dpa(settings):
    sync_register()
    settings.PRODUCTION = True
    settings.TRAFFT_WEBHOOK_SECRET = "secret"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

    messages = check_integrations_have_contracts()

    assert {m.id for m in messages} == {"processors.E001"}
    assert all(m.level == checks.ERROR for m in messages)
    assert any(
        "TRAFFT_WEBHOOK_SECRET switches on the trafft integration, but No data processing "
        "agreement on record" in m.msg
        for m in messages
    )


def test_pro_02_check_warns_in_development_and_is_silent_when_all_is_on_record(settings):
    sync_register()
    settings.PRODUCTION = False
    settings.GA4_MEASUREMENT_ID = "G-TEST1234"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}

    messages = check_integrations_have_contracts()
    assert {m.id for m in messages} == {"processors.W001"}
    assert {m.msg.split(" switches")[0] for m in messages} == {
        "GA4_MEASUREMENT_ID",
        "EMAIL_BACKEND",
    }

    put_on_record("google_analytics", "email_provider")
    assert check_integrations_have_contracts() == []


def test_pro_02_check_asks_for_a_sync_when_the_register_misses_a_recipient(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    [message] = check_integrations_have_contracts()
    assert message.id == "processors.W002"
    assert "sync_processor_register" in message.hint


# At run time -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["trafft", "calcom"])
def test_pro_02_a_booking_webhook_is_refused_while_its_processor_has_no_dpa(settings, client, name):
    sync_register()
    secret = f"{name}-secret"
    setattr(settings, f"{name.upper()}_WEBHOOK_SECRET", secret)

    response = FakeBookingProvider(name, secret, client).deliver("booked", Booking())

    assert response.status_code == 503
    assert response.json()["error"] == "not_on_record"
    from leads.models import Lead

    assert not Lead.objects.exists()

    put_on_record(name)
    assert FakeBookingProvider(name, secret, client).deliver("booked", Booking()).status_code == 200


def test_pro_02_ga4_stays_off_in_the_page_until_its_dpa_is_on_record(client, settings):
    settings.GA4_MEASUREMENT_ID = "G-TEST1234"
    sync_register()

    assert 'data-ga=""' in client.get("/").content.decode()

    put_on_record("google_analytics")
    assert 'data-ga="G-TEST1234"' in client.get("/").content.decode()


# In the back office -----------------------------------------------------------------------------


def test_pro_02_the_recipient_page_says_why_its_integration_is_off(admin_client):
    sync_register()
    trafft = Recipient.objects.get(key="trafft")

    html = admin_client.get(f"/admin/processors/recipient/{trafft.pk}/change/").content.decode()

    assert "The Trafft integration stays off until this is resolved:" in html
    assert "No data processing agreement on record" in html
    assert "Transfer to RS without a safeguard on record" in html

    put_on_record("trafft")
    html = admin_client.get(f"/admin/processors/recipient/{trafft.pk}/change/").content.decode()
    assert "Complete: data may flow to this recipient." in html
    assert "Transfer to RS without a safeguard" not in html


def test_pro_01_the_register_list_shows_which_recipients_data_may_flow_to(admin_client):
    put_on_record("website_host")

    html = admin_client.get("/admin/processors/recipient/").content.decode()

    assert "Hetzner" in html and "Trafft" in html
    # Hetzner (agreement on record), and the advisers and authorities (no agreement needed).
    assert html.count('alt="True"') == 3
    assert html.count('alt="False"') == Recipient.objects.count() - 3


def test_pro_01_contract_documents_are_served_to_staff_only(admin_client, client):
    [trafft] = put_on_record("trafft")
    url = trafft.dpa_document.url

    assert url.startswith("/admin/processor-documents/")
    assert admin_client.get(url).status_code == 200
    assert client.get(url).status_code == 302  # to the sign-in page
    assert admin_client.get("/admin/processor-documents/../settings.py").status_code == 404
