"""Reading the audience segments of Wekst's own marketing (policy §10; GDPR Art. 13(2)(f), 21(2);
checklists TP-07, CL-02).

A segment is built only from the people who gave the consent its source records, and goes only
to platforms that consent covers: the recipients the policy names for the consented activity.
A segment drawn from data held for a clinic (Wekst as processor) or from data that can reveal a
person's health is refused here, at start-up, naming the entry: using a clinic's data for
Wekst's own marketing would make Wekst a controller of it (GDPR Art. 28(10); CL-02), and an
audience that reveals someone is a patient is special-category data (Art. 9; CL-06), which Wekst's
own marketing never uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from declaration.schema.entries import Activity, Recipient, Text
from declaration.schema.reader import Reader

# The sources the code can compute a segment from (marketing.sources), each with the declared
# activity whose consent it records: a person is in a segment only with that consent.
SEGMENT_SOURCES = {
    # Confirmed newsletter sign-ups (double opt-in), including those started by the marketing
    # tick of the contact form: the consent to marketing email from Harwest AS.
    "newsletter_subscriptions": "newsletter",
}

# Sources that are refused whatever a segment says, and why.
REFUSED_SOURCES = {
    "clinic_leads": "the enquiries and patients of a clinic are the clinic's data, processed on "
    "its behalf; they are never used for Wekst's own marketing (GDPR Art. 28(10); CL-02)",
    "clinic_contacts": "a clinic's contacts are kept for the clinic's engagement, not for "
    "audience segments (CL-02)",
    "treatment_page_visitors": "visitors of a health or treatment page can be revealed as "
    "patients: special-category data (GDPR Art. 9(1); CL-06) that Wekst's own marketing never "
    "uses",
    "clinic_enquiry_forms": "a clinic's enquiry form is the clinic's processing and can reveal "
    "that someone is its patient (GDPR Art. 9(1), 28(10); CL-02, CL-06)",
}


@dataclass(frozen=True)
class Segment:
    """An audience segment of Wekst's own marketing, as the policy lists it (§10)."""

    key: str
    name: Text
    description: Text
    source: str  # a key of SEGMENT_SOURCES
    activity: str  # the consented activity the source records
    data: Text  # which data it is built from, in words
    platforms: tuple[str, ...]  # recipient keys


def read_segments(
    r: Reader, data: dict, *, activities: dict[str, Activity], recipients: dict[str, Recipient]
) -> dict[str, Segment]:
    segments = {}
    raw_segments = data.get("segments") or {}
    for key, raw in r.mapping(raw_segments, "segments").items():
        where = f"segments.{key}"
        raw = r.mapping(raw, where)
        source = str(raw.get("source") or "")
        activity_key = SEGMENT_SOURCES.get(source, "")
        if source in REFUSED_SOURCES:
            r.problem(where, f"source {source!r} is refused: {REFUSED_SOURCES[source]}")
        elif not activity_key:
            known = ", ".join(sorted(SEGMENT_SOURCES))
            r.problem(where, f"unknown source {source!r}; a segment is built from one of: {known}")
        platforms = r.keys(raw, "platforms", where, recipients, "recipient")
        activity = activities.get(activity_key)
        if activity is not None:
            # A missing basis is reported on the activity itself; only a different one here.
            if activity.legal_basis and activity.legal_basis != "consent":
                r.problem(where, f"activity {activity_key!r} does not rest on consent")
            if activity.special.categories:
                revealed = ", ".join(activity.special.categories)
                r.problem(
                    where,
                    f"activity {activity_key!r} can reveal special categories ({revealed}): "
                    "Wekst's own marketing never builds segments from them (GDPR Art. 9(1); CL-06)",
                )
            for platform in platforms:
                if platform in recipients and platform not in activity.recipients:
                    r.problem(
                        where,
                        f"platform {platform!r} is not covered by the consent to "
                        f"{activity_key!r}: the policy does not name it as a recipient of that "
                        "activity, so people never agreed to it",
                    )
        segments[str(key)] = Segment(
            key=str(key),
            name=r.text(raw, "name", where),
            description=r.text(raw, "description", where),
            source=source,
            activity=activity_key,
            data=r.text(raw, "data", where),
            platforms=platforms,
        )
    return segments
