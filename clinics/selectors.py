"""Reading the clinics: may work be done for a clinic, what its agreement instructs, and who in
Wekst may see its data (GDPR Art. 28, 29, 32(4); PRO-03, CL-01, CL-02)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from clinics.models import Clinic, ClinicAgreement, ClinicContact
from leads.models import Lead, Meeting
from staff.roles import SEE_EVERY_CLINIC
from subjects.models import Subject

# May work be done for a clinic (CL-01) ---------------------------------------------------------


def current_agreement(clinic: Clinic, *, on: datetime.date | None = None) -> ClinicAgreement | None:
    """The clinic's agreement in force `on` (today): signed, not ended, complete, on file."""
    on = on or timezone.localdate()
    agreements = clinic.agreements.filter(signed_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )
    return next((a for a in agreements if a.is_current(on)), None)


def accepts_work(clinic: Clinic, *, on: datetime.date | None = None) -> bool:
    """Work is done for a clinic only with a current agreement and a running engagement (CL-01)."""
    on = on or timezone.localdate()
    engaged = any(engagement.is_current(on) for engagement in clinic.engagements.all())
    return engaged and current_agreement(clinic, on=on) is not None


def get_clinic_accepting_work(*, slug: str) -> Clinic:
    """The clinic with this slug, if work may be done for it; 404 otherwise (unknown or not)."""
    clinic = Clinic.objects.filter(slug=slug).first()
    if clinic is None or not accepts_work(clinic):
        raise Http404
    return clinic


@dataclass(frozen=True)
class ClinicRetentionTerms:
    clinic_id: int
    retention_months: int | None
    engagement_ended_on: datetime.date | None  # None while an engagement runs (or none began)


def clinic_retention_terms(*, on: datetime.date) -> list[ClinicRetentionTerms]:
    """For every clinic with leads: the retention its latest agreement instructs, and when its
    last engagement ended (for the retention rule clinic_instructions)."""
    terms = []
    for clinic in (
        Clinic.objects.filter(leads__isnull=False)
        .distinct()
        .prefetch_related("engagements", "agreements")
    ):
        agreements = sorted(clinic.agreements.all(), key=lambda a: a.signed_on, reverse=True)
        engagements = list(clinic.engagements.all())
        running = any(e.ends_on is None or e.ends_on >= on for e in engagements)
        ended = max((e.ends_on for e in engagements if e.ends_on), default=None)
        terms.append(
            ClinicRetentionTerms(
                clinic_id=clinic.pk,
                retention_months=agreements[0].retention_months if agreements else None,
                engagement_ended_on=None if running else ended,
            )
        )
    return terms


def clinics_processing_data_of(subject) -> list[Clinic]:
    """The clinics for which Wekst holds data about this subject as processor: a rights request
    about that data goes to the clinic, the controller (GDPR Art. 28(3)(e); PRO-03, CL-04)."""
    return list(Clinic.objects.filter(leads__subject=subject).distinct())


# Who sees a clinic's data (CL-02) ----------------------------------------------------------------


def sees_every_clinic(user) -> bool:
    """Whether `user` sees the data of every clinic: superusers, and the roles whose work needs
    it (staff.roles.SEE_EVERY_CLINIC: the administrator, the privacy officer)."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=[role.group for role in SEE_EVERY_CLINIC]).exists()


def clinics_visible_to(user) -> QuerySet[Clinic]:
    """The clinics whose data `user` may see: every clinic for those who see every clinic, the
    clinics the person is assigned to for other staff, none for anyone else.

    Data processed for a clinic is seen only by staff who need it for that clinic's work
    (GDPR Art. 28(3)(b), 29, 32(4); checklist CL-02). Every back-office place that lists or shows
    a clinic's data reads through this, via `clinic_data_visible_to`.
    """
    if sees_every_clinic(user):
        return Clinic.objects.all()
    return _assigned_clinics(user)


def _assigned_clinics(user) -> QuerySet[Clinic]:
    if not (user.is_active and user.is_staff):
        return Clinic.objects.none()
    return Clinic.objects.filter(staff=user)


def staff_who_can_be_assigned() -> QuerySet:
    """The people who can be assigned to a clinic: active staff accounts."""
    return get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")


def clinic_data_visible_to(user, *, clinic_path: str = "clinic") -> Q:
    """A filter keeping the rows `user` may see, for a model that reaches its clinic through
    `clinic_path` ("clinic" for a lead, "lead__clinic" for a meeting): Wekst's own rows (no
    clinic), and the rows of clinics_visible_to(user). Rows of any other clinic are left out, so
    lists, searches, change pages and lookups answer as if they did not exist (CL-02)."""
    if sees_every_clinic(user):
        return Q()
    return Q(**{f"{clinic_path}__isnull": True}) | Q(
        **{f"{clinic_path}__in": _assigned_clinics(user)}
    )


def people_told_of_policy_changes(*, cutoff: datetime.datetime) -> list[tuple[int, str]]:
    """Clinic contacts recorded by `cutoff`, language unknown (declaration.audiences; TP-05)."""
    contacts = ClinicContact.objects.filter(created_at__lte=cutoff)
    return [(subject_id, "") for subject_id in contacts.values_list("subject_id", flat=True)]


# Whose people a staff member sees in the subject index and the rights tools (CL-02) -------------


def subjects_visible_to(user) -> QuerySet[Subject] | None:
    """The subjects `user` may see in the subject index and the rights tools (subjects.scope).

    None (no limit: every record, including requests not yet linked to anyone) for those who see
    every clinic. For staff assigned to clinics: the people linked to
    those clinics (a lead, a meeting or a contact of the clinic), except anyone also linked to a
    clinic they are not assigned to, whose records (and the very fact of that link) are the other
    clinic's: such a person is handled by the privacy officer. Nobody for anyone else. Everything
    outside answers 404 in the back office, never 403, so existence does not leak (GDPR Art.
    28(3)(b), 29, 32(4); checklist CL-02)."""
    if sees_every_clinic(user):
        return None
    mine = _assigned_clinics(user)
    linked = (
        Q(pk__in=Lead.objects.filter(clinic__in=mine).values("subject"))
        | Q(pk__in=Meeting.objects.filter(lead__clinic__in=mine).values("subject"))
        | Q(pk__in=ClinicContact.objects.filter(clinic__in=mine).values("subject"))
    )
    others = Lead.objects.filter(clinic__isnull=False).exclude(clinic__in=mine).values("subject")
    other_meetings = (
        Meeting.objects.filter(lead__clinic__isnull=False)
        .exclude(lead__clinic__in=mine)
        .values("subject")
    )
    other_contacts = ClinicContact.objects.exclude(clinic__in=mine).values("subject")
    return (
        Subject.objects.filter(linked)
        .exclude(pk__in=others)
        .exclude(pk__in=other_meetings)
        .exclude(pk__in=other_contacts)
    )


def works_for_a_clinic(user) -> bool:
    """Whether `user` is an active staff member assigned to at least one clinic."""
    return _assigned_clinics(user).exists()
