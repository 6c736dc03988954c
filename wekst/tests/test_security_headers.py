"""Security headers on every page: CSP without inline script, frame denial, referrer policy,
HSTS and secure cookies in production (SEC-03; checklist SB-02, SB-10)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.urls import reverse

from consent.embeds import PROVIDERS
from wekst.tests.test_settings import run_python

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_PAGES = ["/", "/nb/", "/privacy/", "/cookies/", "/contact/", "/newsletter/"]


def csp_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_sec_03_public_pages_carry_a_csp_without_inline_script(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = csp_of(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert not any("unsafe" in value for values in csp.values() for value in values)


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_sec_03_public_pages_deny_framing_sniffing_and_leaky_referrers(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_sec_03_the_back_office_has_the_same_policy(admin_client):
    response = admin_client.get("/admin/leads/lead/")
    csp = csp_of(response)
    assert csp["script-src"] == ["'self'"]
    # Inline <style> (the admin has one in its change list) applies only with this response's
    # nonce, which the admin's templates print on their tags.
    assert csp["style-src"][0] == "'self'"
    [nonce] = [v[7:-1] for v in csp["style-src"] if v.startswith("'nonce-")]
    assert set(re.findall(r'nonce="([^"]+)"', response.text)) == {nonce}
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_sec_03_the_sign_in_page_has_the_policy(client):
    response = client.get("/admin/login/")
    assert csp_of(response)["script-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"


def test_sec_03_every_embed_provider_may_be_framed_and_nothing_else():
    allowed = settings.SECURE_CSP["frame-src"]
    for provider in PROVIDERS.values():
        origin = re.match(r"https://[^/]+", provider.src_prefix).group(0)
        assert origin in allowed
    assert len(allowed) == len(
        {re.match(r"https://[^/]+", p.src_prefix).group(0) for p in PROVIDERS.values()}
    )


def test_sec_03_google_hosts_are_allowed_only_when_ga4_is_configured():
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({k: list(map(str, v)) for k, v in settings.SECURE_CSP.items()}))"
    )
    without = json.loads(run_python(code, DJANGO_ENV="test").stdout)
    result = run_python(code, DJANGO_ENV="test", GA4_MEASUREMENT_ID="G-ABC1234")
    assert result.returncode == 0, result.stderr
    with_ga = json.loads(result.stdout)
    google_analytics = ("googletagmanager", "google-analytics", "analytics.google")
    assert not any(g in v for values in without.values() for v in values for g in google_analytics)
    assert with_ga["script-src"] == ["'self'", "https://www.googletagmanager.com"]
    assert "https://www.googletagmanager.com" in with_ga["connect-src"]
    assert "https://*.google-analytics.com" in with_ga["connect-src"]
    # Allowed for scripts and connections only: not as a default, not for frames or styles.
    for directive in ("default-src", "style-src", "frame-src", "img-src", "form-action"):
        assert with_ga[directive] == without[directive]


def test_sec_03_production_sends_hsts_and_secure_cookies():
    code = (
        "import json; from django.conf import settings; print(json.dumps({name: getattr(settings,"
        " name) for name in ('SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS',"
        " 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
        " 'SESSION_COOKIE_HTTPONLY', 'SESSION_EXPIRE_AT_BROWSER_CLOSE')}))"
    )
    result = run_python(code, DJANGO_ENV="production", DJANGO_SECRET_KEY="a-real-secret-for-this")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def project_templates() -> list[Path]:
    """Every template of this project's own apps (not Django's, not the virtualenv's)."""
    return [
        path
        for path in ROOT.rglob("templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    ]


def test_sec_03_no_template_has_inline_script_or_event_handlers():
    """CSP would block them anyway; this says which template to fix instead of a dead button."""
    offenders = []
    for path in project_templates():
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE):
            if "src=" not in tag:
                offenders.append(f"{path.relative_to(ROOT)}: inline {tag}")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.relative_to(ROOT)}: event handler attribute")
        if "javascript:" in text.lower():
            offenders.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert project_templates(), "no templates found"
    assert offenders == []


def test_sec_03_templates_escape_by_default():
    assert engines["django"].engine.autoescape is True


@pytest.mark.django_db
def test_sec_03_every_public_form_carries_a_csrf_token(client):
    """Every POST form on the public pages has Django's token (SB-10); the consent banner's form
    is protected by its same-origin check instead (consent/csrf.py)."""
    pages = [*PUBLIC_PAGES, reverse("leads:information")]
    for path in pages:
        html = client.get(path).text
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.DOTALL | re.IGNORECASE):
            if not re.search(r'method="post"', form, flags=re.IGNORECASE):
                continue
            if 'action="/consent/"' in form or 'action="/nb/consent/"' in form:
                continue
            assert 'name="csrfmiddlewaretoken"' in form, f"{path}: {form[:120]}"
