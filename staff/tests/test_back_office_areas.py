"""The back office reads like the policy: areas named and ordered by the policy, names for people
(issue 21; SEC-04)."""

import re

import pytest

from mail.models import OutgoingEmail
from staff.sites import AREAS


def _sections(page: str) -> list[str]:
    return re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', page)


@pytest.mark.django_db
def test_sec_04_index_sections_follow_the_policy_order(admin_client):
    page = admin_client.get("/admin/").content.decode()
    sections = _sections(page)
    names = [str(name) for _label, name in AREAS]
    assert sections == [name for name in names if name in sections]
    assert sections[:3] == ["Requests and rights", "Breaches", "Leads and meetings"]
    assert "Two-factor devices" in sections and "Background tasks" in sections
    assert "Otp_Totp" not in page and "Tasks Database Backend" not in page


@pytest.mark.django_db
def test_sec_04_outgoing_email_names_the_person_not_a_subject(admin_client):
    email = OutgoingEmail.objects.create(
        purpose="x", to_address="a@example.org", subject_line="Hello", body_text="b"
    )
    page = admin_client.get(f"/admin/mail/outgoingemail/{email.pk}/change/").content.decode()
    assert "Person (data subject)" in page and "Subject line" in page
    assert not re.search(r"<label[^>]*>Subject:</label>", page)


def test_sec_04_the_register_shows_whether_data_may_flow_next_to_the_name():
    # Last of six columns it was cut off at 1280 px; the browser test measures the page.
    from django.contrib import admin  # noqa: PLC0415

    from processors.models import Recipient  # noqa: PLC0415

    assert admin.site._registry[Recipient].list_display[:2] == ["name", "state"]
