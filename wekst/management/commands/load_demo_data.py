"""Load demo data for local work and print a staff login. Never for production."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from declaration.publishing import publish_policy
from declaration.selectors import get_declaration
from staff.demo import demo_device, describe
from staff.roles import PRIVACY_OFFICER
from wekst.demo.load import load_demo_records


class Command(BaseCommand):
    help = "Create the demo staff user (with a fresh password) and demo records; prints the login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="Where the site will listen, for the printed sign-in address (bin/run passes it).",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is for development only (DJANGO_ENV=development).")
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.update_or_create(
            username="demo",
            defaults={"email": "demo@wekst.invalid", "is_staff": True, "is_superuser": True},
        )
        user.set_password(password)
        user.save()
        # Every staff account signs in with a second factor (SEC-01), the demo one too: its
        # authenticator key is kept across runs, the password is new each time.
        device = demo_device(user=user)
        # The demo user also holds the privacy officer's role (once `sync_roles` made it, as
        # bin/run does first), so the evidence pack button shows (docs/evidence-pack.md).
        officer = Group.objects.filter(name=PRIVACY_OFFICER.group).first()
        if officer is not None:
            user.groups.add(officer)
        # The policy archive (/privacy/versions/) shows the version in force, published on its own
        # date as the deploy step `publish_policy` would have done (docs/policy-versions.md).
        current = get_declaration().current
        publish_policy(now=datetime.datetime.combine(current.date, datetime.time(12), datetime.UTC))
        # Records that fill every back-office list but a few explained ones; loading again adds
        # nothing (wekst/demo/load.py).
        load_demo_records(staff=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo staff login for {options['site'].rstrip('/')}/admin/\n"
                f"  username: demo\n  password: {password}\n"
            )
            + describe(device)
        )
