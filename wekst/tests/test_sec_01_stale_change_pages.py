"""A back-office change page saved after a colleague changed the same record: nothing is saved,
the page names what changed and keeps what was typed, and saving again keeps it (SEC-01;
wekst/stale_pages.py). Shown on the breach register, whose page posts every kind of field."""

import html
import re
import threading
from html.parser import HTMLParser

import pytest
from django import forms
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from breaches.admin import BreachAdmin
from breaches.models import Breach
from breaches.tests.factories import change_form_data, make_breach
from clinics.models import Clinic
from consent.services import forget_banner_texts
from wekst.stale_pages import OPENED_AS, StalePageCheck, opened_as
from wekst.testing import until_a_lock_is_awaited
from wekst.tests.test_sec_04_admin_guards import project_admins

pytestmark = pytest.mark.django_db
STALE = "Someone else saved this record after you opened this page"


def url(breach: Breach) -> str:
    return f"/admin/breaches/breach/{breach.pk}/change/"


def carried(page) -> str:
    """What the page carries of the record as it opened it."""
    found = re.search(rf'name="{OPENED_AS}" value="([^"]*)"', page.content.decode())
    assert found, "the change page carries no record of what it opened"
    return html.unescape(found[1])


def open_page(client: Client, breach: Breach) -> tuple[dict, str]:
    """The page as the browser holds it: its fields, and what it carries."""
    page = client.get(url(breach))
    assert page.status_code == 200
    return change_form_data(Breach.objects.get(pk=breach.pk)), carried(page)


def test_sec_01_a_page_saved_after_a_colleagues_save_keeps_the_colleagues_change(
    admin_client, privacy_officer_client
):
    breach = make_breach()
    mine, opened = open_page(admin_client, breach)
    theirs, their_opened = open_page(privacy_officer_client, breach)
    assert opened == their_opened
    saved = privacy_officer_client.post(
        url(breach), theirs | {"what_happened": "Sent to Tannlege Berg.", OPENED_AS: their_opened}
    )
    assert saved.status_code == 302

    refused = admin_client.post(
        url(breach), mine | {"measures_taken": "Passwords reset.", OPENED_AS: opened}
    )

    assert refused.status_code == 200
    text = refused.content.decode()
    assert STALE in text
    assert "It now holds: Sent to Tannlege Berg." in text
    assert "Passwords reset." in text  # what was typed is still on the page
    breach.refresh_from_db()
    assert breach.what_happened == "Sent to Tannlege Berg."
    assert breach.measures_taken == mine["measures_taken"]
    # The page now carries the record as it is: saving again is a choice, and is kept.
    again = carried(refused)
    assert again != opened
    kept = admin_client.post(
        url(breach), mine | {"measures_taken": "Passwords reset.", OPENED_AS: again}
    )
    assert kept.status_code == 302
    breach.refresh_from_db()
    assert breach.measures_taken == "Passwords reset."
    assert breach.what_happened == mine["what_happened"]


def test_sec_01_only_the_fields_that_changed_are_marked(admin_client, privacy_officer_client):
    first = Clinic.objects.create(name="Berg Tannlege", slug="berg", email="post@berg.example")
    second = Clinic.objects.create(name="Lie Klinikk", slug="lie", email="post@lie.example")
    breach = make_breach(clinic=first)
    mine, opened = open_page(admin_client, breach)
    theirs, their_opened = open_page(privacy_officer_client, breach)
    privacy_officer_client.post(
        url(breach), theirs | {"clinic": str(second.pk), OPENED_AS: their_opened}
    )

    refused = admin_client.post(url(breach), mine | {"title": "Wrong clinic", OPENED_AS: opened})

    text = refused.content.decode()
    assert text.count("Changed since you opened this page") == 1
    assert "It now holds: Lie Klinikk" in text  # the linked record by its name, not its id
    breach.refresh_from_db()
    assert breach.clinic == second
    assert breach.title != "Wrong clinic"


def test_sec_01_a_page_nobody_else_saved_is_saved(admin_client):
    breach = make_breach()
    mine, opened = open_page(admin_client, breach)

    saved = admin_client.post(
        url(breach), mine | {"measures_taken": "Passwords reset.", OPENED_AS: opened}
    )

    assert saved.status_code == 302
    breach.refresh_from_db()
    assert breach.measures_taken == "Passwords reset."


def test_sec_01_a_tampered_page_record_is_a_clear_error_and_nothing_saved(admin_client):
    breach = make_breach()
    mine, _ = open_page(admin_client, breach)

    for tampered in ("not json", "[1, 2]", '"text"'):
        refused = admin_client.post(
            url(breach), mine | {"measures_taken": "Passwords reset.", OPENED_AS: tampered}
        )
        assert refused.status_code == 200
        assert "could not be compared with the record" in refused.content.decode()
        breach.refresh_from_db()
        assert breach.measures_taken != "Passwords reset."


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs connections of their own to one database"
)
@pytest.mark.django_db(transaction=True)
def test_sec_01_two_saves_of_one_page_at_once_are_one_save_and_one_refusal(
    monkeypatch, admin_client, privacy_officer_client
):
    """The first save is held after its check, before it writes, until the second waits for a
    lock: without the lock both would pass the check and the second would undo the first."""
    breach = make_breach()
    mine, opened = open_page(admin_client, breach)
    theirs, _ = open_page(privacy_officer_client, breach)
    held, go_on = threading.Event(), threading.Event()
    save_model = BreachAdmin.save_model

    def held_once(self, *args):
        if not held.is_set():
            held.set()
            go_on.wait(timeout=30)
        return save_model(self, *args)

    monkeypatch.setattr(BreachAdmin, "save_model", held_once)
    answers = {}

    def post(name, client, data):
        answers[name] = client.post(url(breach), data)
        connections.close_all()

    first = threading.Thread(
        target=post, args=("first", admin_client, mine | {"title": "First", OPENED_AS: opened})
    )
    first.start()
    assert held.wait(timeout=30)
    second = threading.Thread(
        target=post,
        args=("second", privacy_officer_client, theirs | {"title": "Second", OPENED_AS: opened}),
    )
    second.start()
    until_a_lock_is_awaited(alongside=second)
    go_on.set()
    first.join()
    second.join()

    assert answers["first"].status_code == 302
    assert answers["second"].status_code == 200
    assert STALE in answers["second"].content.decode()
    breach.refresh_from_db()
    assert breach.title == "First"


def test_sec_01_every_change_page_of_the_back_office_compares_before_it_saves(rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    for model_admin in project_admins():
        form = model_admin.get_form(request)
        label = model_admin.model._meta.label
        assert issubclass(form, StalePageCheck), f"{label}'s page does not compare"


class _FormFields(HTMLParser):
    """What a browser posts back from a change page left as it was: each field's value as shown."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "file", "button", "image"):
                self.data.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def test_sec_01_a_colleagues_save_that_changed_nothing_is_no_change(admin_client):
    """No false alarm, on every change page of the demo's records: a colleague opens the page and
    saves it as it was; a page opened before that save, saved as it was after it, is not refused
    as changed since. (A save that changes nothing shown may still rewrite a value, as a time
    to the second; what else the page says of its values is its own form's business.)"""
    forget_banner_texts()
    call_command("sync_roles", verbosity=0)
    call_command("load_demo_data")
    compared = 0
    for model_admin in project_admins():
        record = model_admin.model._default_manager.order_by("pk").first()
        if record is None:
            continue
        opts = model_admin.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        page = admin_client.get(url)
        if page.status_code != 200 or f'name="{OPENED_AS}"' not in page.content.decode():
            continue  # a page that does not edit (read-only records) carries nothing to compare
        fields = _FormFields()
        fields.feed(page.content.decode())
        as_opened: dict[str, list[str]] = {}
        for name, value in fields.data:
            as_opened.setdefault(name, []).append(value)

        admin_client.post(url, as_opened)  # the colleague's page
        text = admin_client.post(url, as_opened).content.decode()  # the page opened before

        assert STALE not in text and "could not be compared" not in text, opts.label
        compared += 1
    assert compared >= 30  # the demo fills nearly every list: the loop really compared pages


def test_sec_01_a_page_not_changed_since_keeps_its_forms_own_checks(admin_client):
    """Only a refusal as changed since skips the form's own clean(): a page with a mistake in one
    field still hears of the others' (here a check across fields) at once."""

    class OwnForm(forms.ModelForm):
        class Meta:
            model = Breach
            fields = ["title", "approx_subjects", "approx_records"]

        def clean(self):
            cleaned = super().clean()
            self.add_error(None, "The form's own check ran.")
            return cleaned

    # As GuardedModelAdmin.get_form mixes the check in: before the form's own methods.
    BreachPage = type("BreachPage", (StalePageCheck, OwnForm), {})  # noqa: N806
    breach = make_breach()
    data = {"title": "", "approx_subjects": "4", "approx_records": "4"}
    form = BreachPage(instance=breach)
    form = BreachPage({**data, OPENED_AS: opened_as(form, breach)}, instance=breach)

    assert not form.is_valid()
    assert "title" in form.errors
    assert "The form's own check ran." in form.non_field_errors()
