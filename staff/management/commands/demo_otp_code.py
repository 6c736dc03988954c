"""Print the demo staff user's current one-time code (development only), for a fresh machine
without an authenticator app at hand."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.demo import DEMO_USERNAME


class Command(BaseCommand):
    help = "Print the current one-time code of the demo staff user (development only)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("One-time codes are printed for the demo user in development only.")
        device = TOTPDevice.objects.filter(user__username=DEMO_USERNAME, confirmed=True).first()
        if device is None:
            raise CommandError("No demo device: run `python manage.py load_demo_data` first.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        remaining = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}  (valid for {remaining} more seconds)")
