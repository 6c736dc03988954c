"""The staff workbench: what needs staff today, for their role, each item linked to where it is
handled (SEC-04).

It reads every area, so it sits in the top layer (pyproject.toml). Each section costs a fixed
number of queries (counts, and at most SHOWN rows), whatever the size of the database; a section
is shown only to a user who may view its model, so the roles of staff/roles.py decide what each
person sees (Sales: leads and meetings only).
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from assessments.selectors import lapsed_dpias, missing_dpias
from breaches.selectors import authority_deadline, breaches_needing_action
from campaigns.selectors import running_without_current_dpia
from clinics.models import ClinicAgreement
from consent.analytics import consent_totals
from declaration.models import PolicyVersion
from declaration.selectors import get_declaration
from leads import notices
from leads.models import Meeting
from mail.models import OutgoingEmail
from marketing.services import may_export_segments
from processors.models import Recipient
from processors.selectors import register_blockers
from retention.models import SweepRun
from rights.models import Objection, ProcessorNotice, Request

SHOWN = 5  # rows listed under a count; the count itself is exact
DUE_SOON = datetime.timedelta(days=7)
AGREEMENT_LAPSES_SOON = datetime.timedelta(days=30)
# A task RUNNING this long was most likely left behind by a worker that stopped.
TASK_STUCK_AFTER = datetime.timedelta(hours=1)
SWEEP_AT = datetime.time(3, 30)  # wekst/schedules.py, Oslo time
# The most queries the whole workbench may cost, at any size of the database (docs/benchmarks.md).
QUERY_BUDGET = 20


@dataclass(frozen=True)
class Line:
    """One thing to look at: a count (or a text) and where it is handled."""

    label: str
    url: str
    count: int | None = None
    text: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)


def _url(name: str, query: str = "") -> str:
    return reverse(name) + (f"?{query}" if query else "")


def _requests(now: datetime.datetime) -> Section:
    open_ = Q(status__in=[Request.Status.OPEN, Request.Status.FORWARDED])
    # Only the requests still waiting are read (the status index), never the closed history.
    waiting = [Request.Status.OPEN, Request.Status.FORWARDED, Request.Status.UNVERIFIED]
    counts = (
        Request.objects.filter(status__in=waiting)
        .order_by()
        .aggregate(
            overdue=Count("pk", filter=open_ & Q(due_at__lt=now)),
            this_week=Count("pk", filter=open_ & Q(due_at__gte=now, due_at__lt=now + DUE_SOON)),
            unverified=Count("pk", filter=Q(status=Request.Status.UNVERIFIED)),
        )
    )
    changelist = "admin:rights_request_changelist"
    return Section(
        _("Privacy requests"),
        [
            Line(_("Overdue"), _url(changelist, "status=open"), counts["overdue"], urgent=True),
            Line(_("Due within 7 days"), _url(changelist, "status=open"), counts["this_week"]),
            Line(
                _("Waiting for the person to verify"),
                _url(changelist, "status=unverified"),
                counts["unverified"],
            ),
        ],
    )


def _objections() -> Section:
    count = Objection.objects.filter(status=Objection.Status.GROUNDS_RECORDED).count()
    return Section(
        _("Objections"),
        [
            Line(
                _("Grounds recorded, waiting for review"),
                _url("admin:rights_objection_changelist", "status=grounds_recorded"),
                count,
            )
        ],
    )


def _processor_notices() -> Section:
    count = ProcessorNotice.objects.filter(status=ProcessorNotice.Status.MANUAL).count()
    return Section(
        _("Notices to processors"),
        [
            Line(
                _("Waiting for a person (no automatic connector)"),
                _url("admin:rights_processornotice_changelist", "status=manual"),
                count,
            )
        ],
    )


def _breaches(now: datetime.datetime) -> Section:
    open_ = breaches_needing_action()
    lines = [
        Line(
            str(breach.title),
            reverse("admin:breaches_breach_change", args=[breach.pk]),
            text=str(clock.text),
            urgent=clock.state == "overdue",
        )
        for breach in open_[:SHOWN]
        for clock in [authority_deadline(breach, now=now)]
    ]
    total = open_.count()
    return Section(
        _("Breaches"),
        [Line(_("Open breaches"), _url("admin:breaches_breach_changelist"), total), *lines],
    )


def _mail_and_tasks(now: datetime.datetime, *, link_tasks: bool) -> Section:
    # Only unsent email is read (the status index), never the sent history.
    unsent = [OutgoingEmail.Status.RETRYING, OutgoingEmail.Status.QUEUED]
    email = (
        OutgoingEmail.objects.filter(status__in=unsent)
        .order_by()
        .aggregate(
            retrying=Count("pk", filter=Q(status=OutgoingEmail.Status.RETRYING)),
            stuck=Count(
                "pk",
                filter=Q(status=OutgoingEmail.Status.QUEUED, created_at__lt=now - TASK_STUCK_AFTER),
            ),
        )
    )
    emails = "admin:mail_outgoingemail_changelist"
    lines = [
        Line(_("Emails failing, will retry"), _url(emails, "status=retrying"), email["retrying"]),
        Line(_("Emails queued for over an hour"), _url(emails, "status=queued"), email["stuck"]),
    ]
    # Failed tasks matter to the privacy officer (an erasure that did not run), but the task list
    # itself (arguments, tracebacks) is the administrator's: the counts are shown, linked for them.
    tasks = (
        DBTaskResult.objects.filter(status__in=["FAILED", "RUNNING"])
        .order_by()
        .aggregate(
            failed=Count("pk", filter=Q(status="FAILED")),
            stuck=Count("pk", filter=Q(status="RUNNING", started_at__lt=now - TASK_STUCK_AFTER)),
        )
    )
    task_list = "admin:django_tasks_database_dbtaskresult_changelist"
    failed = _url(task_list, "status=FAILED") if link_tasks else ""
    running = _url(task_list, "status=RUNNING") if link_tasks else ""
    lines += [
        Line(_("Tasks that failed"), failed, tasks["failed"]),
        Line(_("Tasks running for over an hour"), running, tasks["stuck"]),
    ]
    return Section(_("Emails and background tasks"), lines)


def next_sweep(now: datetime.datetime) -> datetime.datetime:
    """When the daily schedule next starts the retention sweep."""
    oslo = now.astimezone(zoneinfo.ZoneInfo("Europe/Oslo"))
    at = datetime.datetime.combine(oslo.date(), SWEEP_AT, tzinfo=oslo.tzinfo)
    return at if at > oslo else at + datetime.timedelta(days=1)


def _retention(now: datetime.datetime) -> Section:
    last = SweepRun.objects.order_by("-started_at").first()
    runs = "admin:retention_sweeprun_changelist"
    if last is None:
        done = Line(_("Last sweep"), _url(runs), text=_("never run"), urgent=True)
    else:
        done = Line(
            _("Last sweep"),
            reverse("admin:retention_sweeprun_change", args=[last.pk]),
            text=f"{timezone.localtime(last.started_at):%Y-%m-%d %H:%M} ({last.get_status_display()})",
            urgent=last.status == SweepRun.Status.FAILED,
        )
    upcoming = Line(
        _("Next sweep"), _url(runs), text=f"{timezone.localtime(next_sweep(now)):%Y-%m-%d %H:%M}"
    )
    return Section(_("Retention"), [done, upcoming])


def _recipients() -> Section:
    entries = {entry.key: entry for entry in Recipient.objects.filter(declared=True)}
    # Named as staff know them (the declaration's name in the page's language), not by key.
    blocked = [
        str(declared.name)
        for key, declared in get_declaration().recipients.items()
        if register_blockers(entries.get(key), declared)
    ]
    return Section(
        _("Recipients and disclosures"),
        [
            Line(
                _("Recipients without an agreement or safeguard on record"),
                _url("admin:processors_recipient_changelist"),
                len(blocked),
                text=", ".join(blocked[:SHOWN]),
                urgent=bool(blocked),
            )
        ],
    )


def _clinics(now: datetime.datetime) -> Section:
    today = timezone.localdate(now)
    count = ClinicAgreement.objects.filter(
        ends_on__gte=today, ends_on__lte=today + AGREEMENT_LAPSES_SOON
    ).count()
    return Section(
        _("Clinics"),
        [
            Line(
                _("Agreements that end within 30 days"),
                _url("admin:clinics_clinic_changelist"),
                count,
            )
        ],
    )


def _assessments(now: datetime.datetime) -> Section:
    """Lapsed DPIAs, and those the declaration names that the register lacks (CL-06)."""
    lapsed = lapsed_dpias(on=timezone.localdate(now)).count()
    missing = sorted(missing_dpias(declaration=get_declaration()))
    running = running_without_current_dpia(on=timezone.localdate(now)).count()
    changelist = "admin:assessments_dpia_changelist"
    return Section(
        _("Impact assessments"),
        [
            Line(
                _("DPIAs past their review date"),
                _url(changelist, "review=lapsed"),
                lapsed,
                urgent=lapsed > 0,
            ),
            Line(
                _("Running campaigns with a health-related audience and a lapsed DPIA"),
                _url("admin:campaigns_campaign_changelist", "status__exact=running"),
                running,
                urgent=running > 0,
            ),
            Line(
                _("DPIAs the declaration names that are not on record"),
                _url(changelist),
                text=", ".join(missing) or _("none"),
                urgent=bool(missing),
            ),
        ],
    )


def _policy() -> Section:
    pending = PolicyVersion.objects.filter(
        significant=True, notices_completed_at__isnull=True
    ).first()
    return Section(
        _("Policy and records"),
        [
            Line(
                _("Significant policy version with notices pending"),
                _url("admin:declaration_policyversion_changelist"),
                text=str(pending) if pending else _("none"),
                urgent=pending is not None,
            )
        ],
    )


def _leads(now: datetime.datetime, *, show_notices: bool, show_meetings: bool) -> Section:
    lines = []
    if show_notices:
        lines.append(
            Line(
                _("Art. 14 notices near or past their deadline"),
                _url("admin:leads_lead_changelist", "art14=attention"),
                notices.needing_staff(now=now).count(),
            )
        )
    if show_meetings:
        lines.append(
            Line(
                _("Meetings in the next 7 days"),
                _url("admin:leads_meeting_changelist"),
                Meeting.objects.filter(starts_at__gte=now, starts_at__lt=now + DUE_SOON).count(),
            )
        )
    return Section(_("Leads and meetings"), lines)


def _consent(now: datetime.datetime) -> Section:
    totals = consent_totals(now=now)
    return Section(
        _("Consent (last 30 days)"),
        [
            Line(
                _("First choices on the banner"),
                reverse("consent_admin:figures"),
                totals.decisions,
                text=_("%(accepted)s%% accept all, %(rejected)s%% reject all, %(gpc)s%% with GPC")
                % {
                    "accepted": totals.acceptance_rate,
                    "rejected": totals.rejection_rate,
                    "gpc": totals.gpc_share,
                },
            )
        ],
    )


def _marketing() -> Section:
    """The audience segments of our own marketing (policy §10; docs/marketing.md)."""
    return Section(
        _("Marketing profiling"),
        [
            Line(
                _("Audience segments"),
                reverse("marketing_admin:segments"),
                len(get_declaration().segments),
            )
        ],
    )


def workbench_for(*, user, now: datetime.datetime | None = None) -> list[Section]:
    """The sections this user's role may see, in the order of the back office."""
    now = now or timezone.now()
    can = user.has_perm
    sections = []
    if can("rights.view_request"):
        sections.append(_requests(now))
    if can("breaches.view_breach"):
        sections.append(_breaches(now))
    if can("rights.view_processornotice"):
        sections.append(_processor_notices())
    if can("rights.view_objection"):
        sections.append(_objections())
    if can("leads.view_lead") or can("leads.view_meeting"):
        sections.append(
            _leads(
                now, show_notices=can("leads.view_lead"), show_meetings=can("leads.view_meeting")
            )
        )
    if can("consent.view_consentdecision"):
        sections.append(_consent(now))
    if may_export_segments(user):
        sections.append(_marketing())
    if can("retention.view_sweeprun"):
        sections.append(_retention(now))
    if can("processors.view_recipient"):
        sections.append(_recipients())
    if can("clinics.view_clinicagreement"):
        sections.append(_clinics(now))
    if can("assessments.view_dpia"):
        sections.append(_assessments(now))
    if can("rights.view_request"):
        sections.append(_policy())
    if can("mail.view_outgoingemail"):
        sections.append(
            _mail_and_tasks(now, link_tasks=can("django_tasks_database.view_dbtaskresult"))
        )
    return [section for section in sections if section.lines]
