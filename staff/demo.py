"""The demo staff user's second factor, for bin/run on a fresh machine (never in production)."""

import base64
import io
from binascii import unhexlify

import qrcode
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_USERNAME = "demo"


def demo_device(*, user) -> TOTPDevice:
    """The demo user's confirmed device: kept across runs, so an app set up once keeps working."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)


def describe(device: TOTPDevice) -> str:
    """How to get codes: the key, the set-up link, a QR code for a phone, and the current code."""
    secret = base64.b32encode(unhexlify(device.key)).decode()
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    qr = qrcode.QRCode(border=1)
    qr.add_data(device.config_url)
    drawing = io.StringIO()
    qr.print_ascii(out=drawing, invert=True)
    return (
        f"  second factor (TOTP): key {secret}\n"
        f"  set-up link: {device.config_url}\n"
        f"{drawing.getvalue()}"
        f"  current code: {code:0{device.digits}d} (a new one every {device.step} s:\n"
        "    `python manage.py demo_otp_code` prints it, or scan the QR code with an app)\n"
    )
