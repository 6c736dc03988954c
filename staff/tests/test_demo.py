"""bin/run's demo login works from a fresh machine: password, key, QR code and current code."""

import re
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def load_demo_data() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_sec_01_demo_data_prints_a_login_that_passes_both_steps(client, settings):
    settings.PRODUCTION = False
    cache.clear()
    output = load_demo_data()
    password = re.search(r"password: (\S+)", output).group(1)
    assert re.search(r"key [A-Z2-7]{32}", output)
    assert "otpauth://totp/Wekst%3Ademo?secret=" in output
    code = re.search(r"current code: (\d{6})", output).group(1)

    client.post("/admin/login/", {"username": "demo", "password": password})
    response = client.post("/admin/login/code/", {"token": code})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_sec_01_the_demo_key_survives_a_second_run_and_codes_can_be_printed(settings):
    settings.PRODUCTION = False
    first = re.search(r"key (\S+)", load_demo_data()).group(1)
    second = re.search(r"key (\S+)", load_demo_data()).group(1)
    assert first == second
    assert TOTPDevice.objects.filter(user__username="demo", confirmed=True).count() == 1
    out = StringIO()
    call_command("demo_otp_code", stdout=out)
    assert re.fullmatch(r"\d{6}  \(valid for \d+ more seconds\)\n", out.getvalue())


def test_sec_01_no_demo_codes_in_production(settings):
    settings.PRODUCTION = True
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("demo_otp_code")
