"""Loads every demo builder in order; safe to run again (each builder skips what exists).

Every list of the back office gets a few rows (auth.Group comes from `sync_roles`, which bin/run
runs first; the processor checks only while no BREVO_API_KEY is set, as registers.
load_processor_checks says), except three that are left empty on purpose, in LEFT_EMPTY:

- backups.BackupRecord is the evidence of a real backup or restore drill (`manage.py backup`,
  with WEKST_BACKUP_KEY and gpg): a row the demo made up would be false evidence of a backup.
- declaration.PolicyNotice is queued only when a significant policy version is published, to the
  people there were then: the version in force is not significant, and the significant ones
  before it took effect before the demo's people existed.
- processors.WebhookDelivery is a signed delivery from a booking provider, kept so that a repeat
  is not applied twice: only a provider's call makes one (the demo meeting is recorded through
  the service the webhook calls, without a delivery).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from wekst.demo import assessments, clinic_duties, issues, people, registers, restrictions

LEFT_EMPTY = ("backups.BackupRecord", "declaration.PolicyNotice", "processors.WebhookDelivery")


def load_demo_records(*, staff: AbstractBaseUser) -> None:
    """`staff` is the demo user: steps that name a user (a legal hold) are taken as them."""
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        registers.load_clinics(today)
        people.load_leads(now)
        people.load_subscribers()
        people.load_members()
        people.load_comments(now)
        people.load_requests()
        registers.load_breach(now)
        registers.load_processor_notices()
        registers.load_consent(now)
        registers.load_disclosure(today)
        assessments.load_assessments(today)
        restrictions.load_objections()
        restrictions.load_restrictions()
        restrictions.load_legal_holds(user=staff, now=now)
        issues.load_issues()
        clinic_duties.load_sub_processor_changes(today)
        clinic_duties.load_unlawful_instructions(today)
        clinic_duties.load_ended_engagement(today)
        clinic_duties.load_accounting_records(today)
    # The sweep runs its own transactions, batch by batch; the reconciliation reads what it left.
    registers.load_sweep()
    registers.load_processor_checks()
