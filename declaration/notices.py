"""Telling the people concerned of a significant policy change, once each, before it applies.

Policy §13 promises that subscribers, clients and registered users hear of a significant change
before it takes effect (GDPR Art. 13(3), 12(1); WP260 rev.01 paras 29-32; TP-05, DEC-06). The
notice is a service message, not marketing: the person is told because the information they were
given changes, so it goes to everyone with a current relationship, whatever their marketing
choices, like a breach notice (breaches.services). An address that unsubscribed or objected and
has no record left is not in the audience at all: only a suppression hash remains of it, and
that is never mailed.
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from declaration import audiences
from declaration.models import PolicyNotice, PolicyVersion
from declaration.selectors import get_declaration
from mail.services import queue_email
from subjects.models import Subject

# The declared activity the notices serve (declaration.yaml).
ACTIVITY = "policy_notices"
# Notices queued per transaction: an interrupted run loses at most one uncommitted batch, which
# the next run of publish_policy queues again.
BATCH_SIZE = 200
LANGUAGE_CODES = ("en", "nb")


def people_to_notify(version: PolicyVersion) -> dict[int, str]:
    """Subject id -> language ("" when unknown) of everyone the version's notice goes to.

    Confirmed subscribers (an unconfirmed sign-up never became a subscription), clinic contacts
    and registered users who are not staff, each once however many roles they have, as of the
    version's publication: someone who joins later was shown the new version already. Each area
    declares its people (declaration.audiences; newsletter, clinics and content selectors), and
    the language of a person no audience knows it of is that of their latest enquiry (leads).
    """
    people = audiences.people_as_of(version.published_at)
    return {
        subject_id: language if language in LANGUAGE_CODES else ""
        for subject_id, language in people.items()
    }


def _absolute(name: str, **kwargs) -> str:
    return f"{settings.WEKST_SITE_URL}{reverse(name, kwargs=kwargs)}"


def _previous_archived(version: PolicyVersion) -> PolicyVersion | None:
    return (
        PolicyVersion.objects.filter(dated__lt=version.dated)
        .exclude(privacy_policy_en="")
        .order_by("-dated")
        .first()
    )


def notice_in(version: PolicyVersion, language: str) -> tuple[str, str]:
    """(subject line, body) of the version's notice in `language`: what changed, when it takes
    effect, the right to object, and links to the new version and to the difference."""
    declaration = get_declaration()
    previous = _previous_archived(version)
    with translation.override(language):
        context = {
            "version": version,
            "summary": version.summary(language),
            "controller": declaration.controller,
            "version_url": _absolute("declaration:archived_version", version=version.version),
            "difference_url": previous
            and _absolute(
                "declaration:version_difference", old=previous.version, new=version.version
            ),
            "portal_url": _absolute("rights:portal"),
        }
        body = render_to_string("declaration/email/policy_notice.txt", context).strip()
        subject_line = gettext("Changes to our privacy policy from %(date)s") % {
            "date": date_format(version.effective_date, "DATE_FORMAT")
        }
    return subject_line, body


def _notice(version: PolicyVersion, language: str) -> tuple[str, str]:
    if language:
        return notice_in(version, language)
    # Language unknown: both, Norwegian first (the people concerned are mostly in Norway).
    nb, en = notice_in(version, "nb"), notice_in(version, "en")
    return f"{nb[0]} / {en[0]}"[:200], f"{nb[1]}\n\n— English below —\n\n{en[1]}"


def queue_policy_notices(*, version_id: int) -> int:
    """Queue the version's notice to every person concerned who has not had it; a count.

    Each notice goes through mail.queue_email (stored, retried until sent) with a PolicyNotice
    row in the same transaction, one transaction per batch, so a re-run sends nobody twice.
    When nobody is left the version's notices_completed_at is set and later runs do nothing.
    """
    queued = 0
    while True:
        with transaction.atomic():
            version = PolicyVersion.objects.select_for_update().get(pk=version_id)
            if version.notices_completed_at is not None:
                return queued
            told = set(version.notices.values_list("subject_id", flat=True))
            people = people_to_notify(version)
            pending = sorted(subject_id for subject_id in people if subject_id not in told)
            batch = Subject.objects.filter(pk__in=pending[:BATCH_SIZE]).exclude(email=None)
            if not pending:
                version.notices_completed_at = timezone.now()
                version.save(update_fields=["notices_completed_at"])
                return queued
            texts = {}
            for subject in batch.order_by("pk"):
                language = people[subject.pk]
                if language not in texts:
                    texts[language] = _notice(version, language)
                subject_line, body = texts[language]
                email = queue_email(
                    to=subject.email,
                    subject_line=subject_line,
                    body=body,
                    purpose=ACTIVITY,
                    subject=subject,
                )
                PolicyNotice.objects.create(
                    version=version, subject=subject, email=email, language=language
                )
                queued += 1
            # A person with no address (known by phone only) cannot be emailed: marked as
            # handled without a notice, so the run ends.
            for subject_id in set(pending[:BATCH_SIZE]) - {s.pk for s in batch}:
                PolicyNotice.objects.create(version=version, subject_id=subject_id)
