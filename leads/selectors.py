"""Reading leads: the facts collection is tied to, and the look-ups the services share."""

import datetime

from django.conf import settings
from django.db.models import Q

from declaration.policy import COUNTRY_NAMES, safeguard_description
from declaration.schema import EEA_COUNTRIES, Activity
from declaration.selectors import get_declaration
from leads.models import Lead, Meeting, ReplacedBooking
from subjects.models import Subject

# The declared activity each kind of lead is collected for (declaration.yaml `activities`).
ACTIVITY_OF_KIND = {
    Lead.Kind.CONTACT: "enquiries",
    Lead.Kind.INFORMATION_REQUEST: "information_requests",
    Lead.Kind.BOOKING: "meetings",
    Lead.Kind.MEETING_REQUEST: "meetings",
    Lead.Kind.OTHER_SOURCE: "leads_from_other_sources",
}


# What a lead's `source` names, as staff read it: the form or booking provider it came from
# (leads.views, leads.booking_views, leads.meetings); a clinic's form and a lead entered by staff
# store a prefix and a name (clinics.views, leads.other_sources).
SOURCE_NAMES = {
    "contact_form": "The contact form",
    "information_form": "The information request form",
    "growth_meeting_form": "The meeting request form",
    **{provider: f"{label} (booking)" for provider, label in Meeting.Provider.choices},
}
SOURCE_PREFIXES = {"clinic_form:": "A clinic's enquiry form", "staff:": "Entered by staff"}


def source_name(source: str) -> str:
    """Where a lead came from, in words ("The contact form", "Entered by staff: anna")."""
    if source in SOURCE_NAMES:
        return SOURCE_NAMES[source]
    for prefix, name in SOURCE_PREFIXES.items():
        if source.startswith(prefix):
            return f"{name}: {source.removeprefix(prefix)}"
    return source


def activity_of(kind: str) -> Activity:
    """The declared processing activity (purpose, legal basis, retention) for a kind of lead."""
    return get_declaration().activities[ACTIVITY_OF_KIND[Lead.Kind(kind)]]


def find_duplicate_lead(
    *, subject: Subject, kind: str, since: datetime.datetime, **content: object
) -> Lead | None:
    """A lead of this kind from the same person with exactly this content, made since `since`.

    The content is compared here rather than in SQL: a person has few leads in the window, and
    each extra condition costs the ORM more than the comparison, on the path of every form
    submission (docs/benchmarks.md).
    """
    recent = Lead.objects.filter(subject=subject, kind=kind, created_at__gte=since)
    for lead in recent.order_by("-created_at"):
        if all(getattr(lead, field) == value for field, value in content.items()):
            return lead
    return None


def meetings_of_booking(*, provider: str, booking_ids: list[str]) -> list[Meeting]:
    """Every meeting a provider's booking ids belong to, locked, first made first: the meeting
    holding one of them now, and the meeting a reschedule moved away from one (ReplacedBooking).

    More than one are the same booking met by events that arrived out of order
    (leads.meetings.record_booking folds them into the first).
    """
    ids = [i for i in booking_ids if i]
    replaced = ReplacedBooking.objects.filter(provider=provider, booking_id__in=ids)
    return list(
        Meeting.objects.select_for_update()
        .select_related("lead")
        .filter(provider=provider)
        .filter(Q(provider_booking_id__in=ids) | Q(pk__in=replaced.values("meeting_id")))
        .order_by("pk")
    )


def meeting_state(*, provider: str, booking_id: str) -> tuple[str, datetime.datetime | None] | None:
    """(status, start) of the meeting a provider knows by this booking id; None for none."""
    return (
        Meeting.objects.filter(provider=provider, provider_booking_id=booking_id)
        .values_list("status", "starts_at")
        .first()
    )


def find_meeting_at(
    *, provider: str, email: str, starts_at: datetime.datetime, booked_here_only: bool
) -> Meeting | None:
    """The person's meeting at this provider starting at `starts_at` and not cancelled, locked:
    the same booking, known by another id (leads.meetings.record_booking)."""
    meetings = Meeting.objects.filter(
        provider=provider, starts_at=starts_at, lead__email__iexact=email.strip()
    )
    if booked_here_only:
        meetings = meetings.filter(booked_here=True)
    return (
        meetings.select_for_update()
        .select_related("lead")
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("pk")
        .first()
    )


def latest_booking_lead(*, subject: Subject) -> Lead | None:
    """The person's most recent lead from a booking: a new booking of theirs updates it."""
    return (
        Lead.objects.filter(subject=subject, kind=Lead.Kind.BOOKING).order_by("-created_at").first()
    )


def staff_addresses_for(lead: Lead) -> list[str]:
    """Where staff are told of this lead: Wekst's staff addresses for Wekst's own leads, and for
    a lead collected for a clinic only the addresses of the active staff assigned to that clinic.

    A clinic's data is seen only by staff assigned to it (GDPR Art. 29, 32(4); checklist CL-02):
    a shared inbox would show it to everyone. With no one assigned, the list is empty
    (services.tell_staff then tells the inbox that an enquiry waits, without its details).
    """
    if lead.clinic_id is None:
        return list(settings.WEKST_STAFF_EMAILS)
    assigned = lead.clinic.staff.filter(is_active=True, is_staff=True).exclude(email="")
    return sorted(set(assigned.values_list("email", flat=True)))


def languages_of_latest_enquiries(*, subject_ids: list[int]) -> list[tuple[int, str]]:
    """(subject id, language) of the people's enquiries, oldest first, so the latest counts
    (declaration.audiences: the language of a policy notice; TP-05)."""
    leads = Lead.objects.filter(subject_id__in=subject_ids).order_by("created_at")
    return list(leads.values_list("subject_id", "language"))


def recipient_notice(*, activity_key: str, recipient_key: str) -> dict:
    """What a recipient of an activity receives and where it is, from the declaration, for the
    notice beside a form that sends to it (GDPR Art. 13(1)(e)-(f); the booking page, issue 20):
    the recipient, what the activity collects in each category it holds, the countries outside
    the EEA and the transfer's safeguard."""
    activity = get_declaration().activities[activity_key]
    recipient = get_declaration().recipients[recipient_key]
    outside = [c for c in recipient.countries if c not in EEA_COUNTRIES]
    return {
        "recipient": recipient,
        "data": [
            activity.data_collected[category]
            for category in recipient.data_categories
            if category in activity.data_collected
        ],
        "countries": ", ".join(str(COUNTRY_NAMES.get(c, c)) for c in outside),
        "safeguard": safeguard_description(recipient) if outside else "",
    }
