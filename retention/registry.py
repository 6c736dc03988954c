"""The retention registry: which records each declared retention rule governs, and its clock.

This is the one place that ties the declaration's `retention_rules` to the database (policy §7;
RET-01). Every declared rule has an entry here and every entry names a declared rule, or
`manage.py check` fails (retention.checks). An entry is either

- a `Sweep`: the daily sweep (retention.services.run_sweep) erases the records whose clock ran
  out: `clock` is the date field the period counts from, `scope` narrows the model to the records
  the rule governs, `expired` replaces the plain "clock before the cutoff" test where the clock is
  not one field, `keep` names exceptions of the rule itself (a lead that became a client);
  `clear_fields` anonymises instead of deleting; `unreferenced` deletes in one statement what the
  due test proves nothing points at. Legal holds and open privacy requests stop every
  sweep that reaches a subject (`subject_path`), or
- an `Elsewhere`: the rule is kept by the code or the setting named, at the moment it names (the
  newsletter deletes a subscription at unsubscribe; Google deletes analytics data).

Entries run in this order: client records before leads, so that the leads of a client whose
engagement lapsed go in the same run; the subject index last, so that a person whose last record
went today leaves the index in the same run.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clinics.selectors import clinic_retention_terms
from declaration.schema import RetentionRule


@dataclass(frozen=True)
class Keep:
    """An exception of one rule: due records matching it are kept, and counted as kept."""

    name: str
    label: str | Promise
    matching: Callable[[], Q]


@dataclass(frozen=True)
class Sweep:
    rule: str
    model: str
    clock: str
    clock_note: str | Promise = ""
    subject_path: str | None = "subject"
    scope: Callable[[QuerySet], QuerySet] | None = None
    expired: Callable[[QuerySet, Cutoff, datetime.datetime], QuerySet] | None = None
    keep: tuple[Keep, ...] = ()
    clear_fields: dict[str, object] = field(default_factory=dict)
    # The due test itself proves that no row points at the records (checked again, with the rows
    # locked, in the batch's transaction): they are deleted in one statement, with nothing to
    # cascade to.
    unreferenced: bool = False

    @property
    def action(self) -> str:
        return "clear" if self.clear_fields else "erase"

    def model_class(self):
        return apps.get_model(self.model)

    def governed(self) -> QuerySet:
        queryset = self.model_class()._base_manager.all()
        return self.scope(queryset) if self.scope else queryset

    def due(self, *, cutoff: Cutoff, now: datetime.datetime) -> QuerySet:
        """The governed records whose period ended at `now` (exceptions not yet applied)."""
        if self.expired is not None:
            return self.expired(self.governed(), cutoff, now)
        return self.governed().filter(**{f"{self.clock}__lte": cutoff.moment})


@dataclass(frozen=True)
class Elsewhere:
    rule: str
    where: str | Promise


@dataclass(frozen=True)
class Cutoff:
    """When a record's clock must have started by for its period to have ended at `now`.

    `moment` is for clocks that are moments (stored in UTC): the inverse of
    RetentionRule.expires_after, computed the same way, so a record is never erased before the
    moment expires_after gives (a shorter month clamps the day: at worst a day or two later).
    `date` is for clocks that are calendar days in Oslo (the end of an accounting year, of an
    engagement): a clock starting at the end of day D has run out once D is before `date`.
    """

    moment: datetime.datetime
    date: datetime.date


def cutoff_for(rule: RetentionRule, now: datetime.datetime) -> Cutoff:
    if rule.period is None:
        raise ValueError(f"Retention rule {rule.key} has no period to count.")
    today = timezone.localdate(now)
    if rule.unit == "days":
        period = datetime.timedelta(days=rule.period)
        return Cutoff(moment=now - period, date=today - period)
    months = rule.period * (12 if rule.unit == "years" else 1)
    return Cutoff(moment=subtract_months(now, months), date=subtract_months(today, months))


def subtract_months(moment, months: int):
    """The same day (clamped to the month's length) `months` earlier; a date or a datetime."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


# Rule-specific tests of "expired" ------------------------------------------------------------


def _clinic_leads_due(queryset, cutoff, now):
    """Leads collected for a clinic: as the clinic's agreement instructs (months after the last
    contact), and all of them once the declared period after its last engagement has passed."""
    condition = Q(pk__in=[])
    for terms in clinic_retention_terms(on=timezone.localdate(now)):
        if terms.retention_months:
            since = subtract_months(now, terms.retention_months)
            condition |= Q(clinic_id=terms.clinic_id, last_contact_at__lte=since)
        if terms.engagement_ended_on is not None and terms.engagement_ended_on < cutoff.date:
            condition |= Q(clinic_id=terms.clinic_id)
    return queryset.filter(condition)


def _email_copies_due(queryset, cutoff, now):
    # An email never delivered within the period is given up: its copy has no purpose left.
    return queryset.filter(
        Q(status="sent", sent_at__lte=cutoff.moment)
        | (~Q(status="sent") & Q(created_at__lte=cutoff.moment))
    )


def _client_contacts_due(queryset, cutoff, now):
    """Contacts of a clinic with no engagement running, whose last engagement ended (the end of
    that day) before the cutoff; a contact of a clinic never engaged counts from its creation."""
    engagement = apps.get_model("clinics", "Engagement")
    today = timezone.localdate(now)
    running = engagement.objects.filter(clinic=OuterRef("clinic")).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    last_end = (
        engagement.objects.filter(clinic=OuterRef("clinic")).order_by("-ends_on").values("ends_on")
    )
    return (
        queryset.annotate(engaged=Exists(running), last_end=Subquery(last_end[:1]))
        .filter(engaged=False, created_at__lte=cutoff.moment)
        .filter(Q(last_end__isnull=True) | Q(last_end__lt=cutoff.date))
    )


def _accounting_due(queryset, cutoff, now):
    # bokføringsloven § 13: the period runs from the end of the accounting year's last day.
    return queryset.filter(accounting_year_end__lt=cutoff.date)


def _disclosures_due(queryset, cutoff, now):
    # A calendar day in Oslo: its clock starts at the end of the day of the disclosure.
    return queryset.filter(disclosed_on__lt=cutoff.date)


def _closed_requests_due(queryset, cutoff, now):
    # A request never verified was never opened: it counts from its receipt.
    return queryset.filter(
        Q(closed_at__lte=cutoff.moment)
        | Q(status="unverified", closed_at__isnull=True, received_at__lte=cutoff.moment)
    )


def _subjects_without_records(queryset, cutoff, now):
    """Index entries no record points to any more: an address kept for nothing (Art. 5(1)(e)).

    Every model with a foreign key to Subject counts, found the way subjects.selectors.records_of
    finds them, so a new kind of record protects its subject without being listed here.
    """
    subject = apps.get_model("subjects", "Subject")
    none_left = [
        ~Exists(
            relation.related_model._base_manager.filter(**{relation.field.name: OuterRef("pk")})
        )
        for relation in subject._meta.related_objects
    ]
    return queryset.filter(created_at__lte=cutoff.moment).filter(*none_left)


def _became_a_client() -> Q:
    clinic_contact = apps.get_model("clinics", "ClinicContact")
    return Q(subject__in=clinic_contact.objects.values("subject_id"))


BECAME_A_CLIENT = Keep(
    "client", _("the person became a client (client rules apply)"), _became_a_client
)


REGISTRY: tuple[Sweep | Elsewhere, ...] = (
    Sweep(
        rule="consent_log",
        model="consent.ConsentDecision",
        clock="decided_at",
        subject_path=None,
    ),
    Sweep(
        rule="unconfirmed_signup",
        model="newsletter.Subscription",
        clock="signed_up_at",
        scope=lambda qs: qs.filter(status="unconfirmed"),
    ),
    Elsewhere(
        rule="until_unsubscribe",
        where=_(
            "newsletter.services.unsubscribe and record_objection_to_marketing delete the "
            "subscription at once and keep only a suppression entry without a readable address."
        ),
    ),
    Sweep(
        rule="client_engagement",
        model="clinics.ClinicContact",
        clock="created_at",
        clock_note=_("or the end of the clinic's last engagement, whichever is later"),
        expired=_client_contacts_due,
    ),
    Sweep(
        rule="lead_after_last_contact",
        model="leads.Lead",
        clock="last_contact_at",
        scope=lambda qs: qs.filter(clinic__isnull=True),
        keep=(BECAME_A_CLIENT,),
    ),
    Sweep(
        rule="clinic_instructions",
        model="leads.Lead",
        clock="last_contact_at",
        clock_note=_(
            "or the end of the clinic's last engagement; the period after the last contact is "
            "the one in the clinic's agreement"
        ),
        scope=lambda qs: qs.filter(clinic__isnull=False),
        expired=_clinic_leads_due,
    ),
    Sweep(
        rule="email_copy",
        model="mail.OutgoingEmail",
        clock="sent_at",
        clock_note=_("or its creation, for an email that was never sent"),
        expired=_email_copies_due,
    ),
    Sweep(
        rule="policy_notice",
        model="declaration.PolicyNotice",
        clock="queued_at",
        clock_note=_("the record that a notice of a policy change was queued to the person"),
    ),
    Sweep(
        rule="comment_metadata",
        model="content.Comment",
        clock="created_at",
        scope=lambda qs: qs.exclude(ip_address="", user_agent=""),
        clear_fields={"ip_address": "", "user_agent": ""},
    ),
    Elsewhere(
        rule="comment_until_deleted",
        where=_("Comments are kept until their author or staff delete them (content app)."),
    ),
    Sweep(
        rule="request_record",
        model="rights.Request",
        clock="closed_at",
        clock_note=_("or its receipt, for a request whose sender never verified it"),
        expired=_closed_requests_due,
    ),
    Sweep(
        rule="accounting_primary",
        model="clinics.PrimaryAccountingRecord",
        clock="accounting_year_end",
        clock_note=_("the end of the accounting year"),
        expired=_accounting_due,
    ),
    Sweep(
        rule="accounting_secondary",
        model="clinics.SecondaryAccountingRecord",
        clock="accounting_year_end",
        clock_note=_("the end of the accounting year"),
        expired=_accounting_due,
    ),
    Elsewhere(
        rule="analytics_ga4",
        where=_(
            "Google Analytics 4 deletes event data itself: the property's data retention is set "
            "to 14 months (Admin > Data collection and modification > Data retention)."
        ),
    ),
    Elsewhere(
        rule="advertising_google_ads",
        where=_(
            "We store no advertising data: the consent script sets the _gcl_au cookie for 90 days "
            "and deletes it when marketing consent is withdrawn; Google keeps what it receives as "
            "an independent controller, under its own policy."
        ),
    ),
    Elsewhere(
        rule="embedded_provider",
        where=_(
            "We store nothing from an embed; YouTube and Google Maps keep what they receive as "
            "independent controllers. The choice to load them is a consent decision, swept "
            "under consent_log."
        ),
    ),
    Elsewhere(
        rule="security_logs",
        where=_(
            "Server logs are not in the database: the host's log rotation keeps them 90 days "
            "(docs/retention.md)."
        ),
    ),
    Elsewhere(
        rule="account_until_deleted",
        where=_(
            "Accounts are deleted with the profile by their owner (content app), or by staff when "
            "a staff account is closed."
        ),
    ),
    Elsewhere(
        rule="audit_record",
        where=_(
            "Not swept yet: the audit log is a hash chain, so its oldest entries can only be "
            "removed from its start by the audit app, together with a new anchor for "
            "verify_audit_log and with the rows of the segment export log that copy them "
            "(marketing.SegmentExport)."
        ),
    ),
    Elsewhere(
        rule="backups",
        where=_(
            "manage.py backup deletes the archives in its output directory whose 35 days have "
            "ended, each time it runs (backups.services.delete_expired_backups)."
        ),
    ),
    Sweep(
        rule="audit_record",
        model="backups.BackupRecord",
        clock="started_at",
        clock_note=_("the evidence of a backup or a restore drill; holds no personal data"),
        subject_path=None,
        unreferenced=True,
    ),
    Sweep(
        rule="audit_record",
        model="breaches.BreachNotice",
        clock="queued_at",
        clock_note=_("the proof that a person was told of a breach, kept even after erasure"),
    ),
    Sweep(
        rule="audit_record",
        model="retention.LegalHold",
        clock="lifted_at",
        clock_note=_("a hold in force is never due"),
        scope=lambda qs: qs.filter(lifted_at__isnull=False),
    ),
    Sweep(
        rule="disclosure_record",
        model="processors.Disclosure",
        clock="disclosed_on",
        clock_note=_("the end of the day of the disclosure; kept through an erasure request"),
        expired=_disclosures_due,
    ),
    Sweep(
        rule="subject_without_records",
        model="subjects.Subject",
        clock="created_at",
        clock_note=_("once no record about the person is left"),
        subject_path="pk",
        expired=_subjects_without_records,
        unreferenced=True,
    ),
)


def sweeps() -> list[Sweep]:
    return [entry for entry in REGISTRY if isinstance(entry, Sweep)]


def entries_for(rule: str) -> list[Sweep | Elsewhere]:
    return [entry for entry in REGISTRY if entry.rule == rule]
