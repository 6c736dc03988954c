"""The access report as the person reads it (Art. 12(1): concise, intelligible, plain language):
the records grouped by what they are about, in words and dates of the page's language, each
group with why we hold it; the JSON and CSV keep every field (rights/reports.py)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from rights.reports import AccessReport, ProcessingInfo, RecordSet
from rights.templatetags.rights import shown_value

# Bookkeeping of our systems, not information about the person: row ids, the mail queue's
# retry state, mail headers, links between our own tables. In the downloads, never on the page.
INTERNAL_FIELDS = frozenset(
    {
        "id",
        "public_id",
        "subject",
        "headers",
        "attempts",
        "next_attempt_at",
        "last_error",
        "purpose",
        "request",
        "lead",
        "issue",
        "subscription",
        "objection",
        "restriction",
        "clinic",
        "agreement",
        "article",
        "profile",
        "user",
        "breach",
        "object_id",
        "subject_ref",
        "sequence",
        "legal_basis",
    }
)

# What each kind of record is about, in the person's words; kinds not named here are shown
# under their own name, so a new kind of record is never left out of the page.
TOPICS: dict[str, Any] = {
    "subjects.Subject": _("How we recognise you"),
    "leads.Lead": None,  # one group per enquiry, titled with its date
    "mail.OutgoingEmail": _("Emails we sent you"),
    "consent.ConsentDecision": _("Your cookie choices"),
    "rights.Request": _("Your privacy requests"),
    "rights.Restriction": _("Your privacy requests"),
    "rights.Objection": _("Your privacy requests"),
    "rights.ProcessorNotice": _("Your privacy requests"),
    "newsletter.Subscription": _("Your newsletter subscription"),
    "newsletter.Delivery": _("Your newsletter subscription"),
    "newsletter.Suppression": _("Your newsletter subscription"),
    "leads.Meeting": _("Meetings you booked"),
    "content.Comment": _("Your comments"),
    "audit.AuditEntry": _("Our record of what we did with your data"),
}

STAFF_MAILBOX = "[Wekst staff mailbox]"
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}.*)?$")


@dataclass
class Item:
    """One record, as label and value pairs."""

    entries: list[tuple[str, Any]]


@dataclass
class Group:
    title: str
    items: list[Item] = field(default_factory=list)
    activities: set[str] = field(default_factory=set)
    processing: list[ProcessingInfo] = field(default_factory=list)
    note: str = ""
    # A log (our audit entries) reads best one entry a line, not as a form per entry.
    as_lines: bool = False


def shown_date(value: str) -> str:
    """An ISO date or time from the record, written the page language's way."""
    parsed = datetime.datetime.fromisoformat(value)
    if len(value) == 10:
        return formats.date_format(parsed.date(), "DATE_FORMAT")
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return formats.date_format(parsed, "DATETIME_FORMAT")


def shown_day(value: str) -> str:
    parsed = datetime.datetime.fromisoformat(value)
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return formats.date_format(parsed.date(), "DATE_FORMAT")


def shown(value: Any) -> Any:
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return shown_date(value)
        except ValueError:
            return value
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value


def _item(record_set: RecordSet, row: dict[str, Any], *, only: tuple[str, ...] = ()) -> Item:
    labels = {name: label for name, label, _category in record_set.fields}
    entries = []
    for name, value in row.items():
        if name in INTERNAL_FIELDS or (only and name not in only):
            continue
        if value in ("", None, [], {}):
            continue
        if name == "object_type":
            # An audit entry names the kind of record it is about: in the person's words.
            topic = TOPICS.get(value)
            if not topic:
                continue
            value = str(topic)
        entries.append((gettext(capfirst(labels.get(name, name))), shown(shown_value(value))))
    return Item(entries=entries)


def groups_of(report: AccessReport) -> list[Group]:
    """The report's records in groups by topic, in the order they first appear."""
    groups: dict[str, Group] = {}

    def group(title: str) -> Group:
        return groups.setdefault(title, Group(title=title))

    for record_set in report.record_sets:
        for row in record_set.rows:
            if record_set.label == "leads.Lead":
                when = row.get("created_at") or ""
                target = group(
                    gettext("Your enquiry of %(date)s") % {"date": shown_day(when) if when else ""}
                )
                target.items.append(_item(record_set, row))
            elif (
                record_set.label == "mail.OutgoingEmail" and row.get("to_address") == STAFF_MAILBOX
            ):
                # A copy in our own mailbox is an email to us about the person, not to them:
                # shown as the fact, when and what about, without our mail's headers.
                target = group(pgettext("report group", "Notices our staff received about you"))
                target.note = gettext(
                    "When you contact us, our team is told by email. These are those notices."
                )
                target.items.append(
                    _item(record_set, row, only=("subject_line", "created_at", "body_text"))
                )
            else:
                topic = TOPICS.get(record_set.label)
                target = group(str(topic) if topic else gettext(capfirst(record_set.name)))
                target.as_lines = record_set.label == "audit.AuditEntry"
                target.items.append(_item(record_set, row))
            if record_set.activities is None:
                target.activities.add("*")
            else:
                target.activities.update(record_set.activities)
            purpose = row.get("purpose")
            if isinstance(purpose, str):
                target.activities.add(purpose)
    by_key = {info.activity: info for info in report.processing}
    for target in groups.values():
        keys = set(by_key) if "*" in target.activities else target.activities
        target.processing = [info for key, info in by_key.items() if key in keys]
    return list(groups.values())
