"""Top up the bench database with realistic records, up to N subjects (bench/run).

Each person gets what a year of the live site gives them: a contact lead, its staff email
(sent), a newsletter subscription for every second one, and three cookie decisions (the log
grows fastest of all). bench/rights_bench.py, when it ran first, seeded a richer mix already;
this only adds what is missing, so a database seeded once is reused.

Run by bench/load.py in the server's environment (DJANGO_ENV=production, its DATABASE_URL):

    python bench/seed.py --subjects 10000
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BATCH = 2000


def top_up(target: int) -> int:
    """Subjects added until there are `target`, in batches of BATCH, one transaction each."""
    from django.db import transaction
    from django.utils import timezone

    from consent.models import ConsentDecision
    from leads.models import Lead
    from mail.models import OutgoingEmail
    from newsletter.models import Subscription
    from subjects.models import Subject

    missing = target - Subject.objects.count()
    now = timezone.now()
    run = uuid.uuid4().hex[:8]
    done = 0
    while done < missing:
        size = min(BATCH, missing - done)
        with transaction.atomic():
            subjects = Subject.objects.bulk_create(
                Subject(email=f"seed-{run}-{done + i}@clinic{(done + i) % 997}.example")
                for i in range(size)
            )
            leads, emails, subscriptions, decisions = [], [], [], []
            for i, subject in enumerate(subjects):
                n = done + i
                at = now - datetime.timedelta(minutes=n % 500_000)
                leads.append(_lead(Lead, subject, n, at))
                emails.append(_staff_email(OutgoingEmail, subject, n, at))
                if n % 2 == 0:
                    subscriptions.append(_subscription(Subscription, subject, n, at))
                decisions.extend(_consent_decisions(ConsentDecision, at))
            Lead.objects.bulk_create(leads)
            OutgoingEmail.objects.bulk_create(emails)
            Subscription.objects.bulk_create(subscriptions)
            ConsentDecision.objects.bulk_create(decisions)
        done += size
    return max(missing, 0)


# Each builder is given its model: the models can be imported only after django.setup() (main).


def _lead(Lead, subject, n: int, at: datetime.datetime):
    """A contact-form enquiry, half in Norwegian."""
    return Lead(
        subject=subject,
        kind="contact",
        name=f"Person {n}",
        email=subject.email,
        phone=f"+47{40000000 + n % 9_999_999:08d}",
        company=f"Clinic {n % 997}",
        role="Clinic manager",
        message="We would like more patients to find our clinic. " * 3,
        purpose="enquiries",
        legal_basis="contract",
        source="contact_form",
        policy_version="seed",
        language="nb" if n % 2 else "en",
        last_contact_at=at,
    )


def _staff_email(OutgoingEmail, subject, n: int, at: datetime.datetime):
    """The notice of the enquiry to staff, sent."""
    return OutgoingEmail(
        subject=subject,
        purpose="enquiries",
        to_address="hello@wekst.com",
        subject_line=f"New enquiry from Person {n}",
        body_text="A new enquiry arrived.\n" * 6,
        headers={"Reply-To": subject.email},
        status="sent",
        attempts=1,
        sent_at=at,
    )


def _subscription(Subscription, subject, n: int, at: datetime.datetime):
    """A confirmed newsletter subscription (every second subject)."""
    return Subscription(
        subject=subject,
        name=f"Person {n}",
        status="confirmed",
        source="newsletter_form",
        signed_up_at=at,
        policy_version="seed",
        consent_wording="Yes, send me the Wekst newsletter.",
        language="nb",
        confirmed_at=at,
        unsubscribe_token=uuid.uuid4().hex + uuid.uuid4().hex,
    )


def _consent_decisions(ConsentDecision, at: datetime.datetime) -> list:
    """Three banner decisions a day apart: reject all, accept all, a choice."""
    return [
        ConsentDecision(
            consent_id=uuid.uuid4(),
            decided_at=at - datetime.timedelta(days=k),
            action=action,
            method="banner",
            analytics=action != "reject_all",
            marketing=action == "accept_all",
            embedded=action != "reject_all",
            gpc=False,
            banner_version="seed",
            policy_version="seed",
            language="nb",
            truncated_ip="192.0.2.0",
        )
        for k, action in enumerate(("reject_all", "accept_all", "choose"))
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wekst.settings")
    import django

    django.setup()
    from django.db import connection

    start = time.perf_counter()
    added = top_up(options.subjects)
    if added and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from subjects.models import Subject

    print(
        f"{connection.vendor}: {Subject.objects.count()} subjects "
        f"({added} added in {time.perf_counter() - start:.0f} s)",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
