"""Hostile input on every public form: echoed escaped, never as markup; no email header injection
(SEC-03). The forms are found on the pages themselves, so a new form is tested when it appears."""

import re

import pytest
from django.core.cache import cache

from mail.models import OutgoingEmail
from wekst.tests.test_fuzz_public_endpoints import ROUTES

pytestmark = pytest.mark.django_db

MARKER = '<script>alert("wekst-xss")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;wekst-xss&quot;)&lt;/script&gt;"
ATTRIBUTE_BREAKER = '"><img src=x onerror=alert(1)>'
INJECTED = "kari@klinikk.example\r\nBcc: evil@example.com"


def form_pages(client) -> dict[str, list[list[str]]]:
    """Each public page without path parameters that has a POST form: the forms' field names."""
    pages = {}
    for route in ROUTES:
        if "<" in route or route.startswith("regex:"):
            continue
        path = "/" + route
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        forms = re.findall(r"<form\b[^>]*>.*?</form>", response.text, flags=re.DOTALL)
        fields = [
            [n for n in re.findall(r'name="([^"]+)"', form) if n != "csrfmiddlewaretoken"]
            for form in forms
            if re.search(r'method="post"', form, flags=re.IGNORECASE)
        ]
        if fields:
            pages[path] = fields
    return pages


def test_sec_03_the_public_forms_are_found(client):
    pages = form_pages(client)
    for expected in ("/contact/", "/information/", "/newsletter/"):
        assert expected in pages


def test_sec_03_hostile_input_comes_back_escaped_on_every_form(client):
    echoed = []
    for path, forms in form_pages(client).items():
        for fields in forms:
            cache.clear()
            data = {name: MARKER for name in fields}
            data["email"] = f"not-an-email {MARKER}"  # invalid, so the form comes back filled in
            response = client.post(path, data)
            assert response.status_code < 500
            assert MARKER not in response.content.decode(errors="replace"), path
            if ESCAPED in response.content.decode(errors="replace"):
                echoed.append(path)
    assert "/contact/" in echoed  # the contact form does show the input back, escaped


def test_sec_03_attribute_breaking_input_stays_inside_the_value(client):
    for path, forms in form_pages(client).items():
        for fields in forms:
            cache.clear()
            data = {name: ATTRIBUTE_BREAKER for name in fields} | {"email": "x"}
            html = client.post(path, data).content.decode(errors="replace")
            assert "<img src=x" not in html, path


def test_sec_03_query_parameters_are_not_echoed_as_markup(client):
    for route in ROUTES:
        if "<" in route or route.startswith("regex:"):
            continue
        response = client.get("/" + route, {"q": MARKER, "next": MARKER, "comment": MARKER})
        if not getattr(response, "streaming", False):
            assert MARKER not in response.content.decode(errors="replace"), route


def test_sec_03_line_breaks_in_form_fields_cannot_inject_email_headers(
    client, smtp_server, run_tasks
):
    """Every form field gets a CR/LF header injection: whatever is stored and sent, no message
    goes to the injected address and no header carries it (EM header injection, SEC-03)."""
    for path, forms in form_pages(client).items():
        for fields in forms:
            cache.clear()
            data = {name: INJECTED for name in fields} | {"email": INJECTED}
            assert client.post(path, data).status_code < 500
            data = {name: "Kari\r\nBcc: evil@example.com" for name in fields} | {
                "email": "kari@klinikk.example"
            }
            assert client.post(path, data).status_code < 500
    for email in OutgoingEmail.objects.all():
        assert "\n" not in email.to_address and "\r" not in email.to_address
        assert "\n" not in email.subject_line and "\r" not in email.subject_line
    run_tasks()
    assert smtp_server.messages, "no form sent any email: the test would prove nothing"
    for message in smtp_server.messages:
        assert "evil@example.com" not in str(message["To"]) + str(message["Cc"] or "")
        assert "evil@example.com" not in " ".join(f"{k}: {v}" for k, v in message.items())


def test_sec_03_an_injected_address_is_refused_with_nothing_stored(client):
    cache.clear()
    before = OutgoingEmail.objects.count()
    response = client.post("/newsletter/", {"email": INJECTED, "name": "Kari"})
    assert response.status_code == 400
    assert OutgoingEmail.objects.count() == before
    response = client.post("/contact/", {"name": "Kari", "email": INJECTED, "message": "Hi"})
    assert response.status_code == 200 and 'class="errorlist' in response.text
    assert OutgoingEmail.objects.count() == before
