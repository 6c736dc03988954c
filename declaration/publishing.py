"""Publishing a policy version: freezing its text in the archive, then telling the people concerned.

The declaration in the repository is the source of the policy; a version is published when a
deploy brings it and `manage.py publish_policy` runs (README, production steps). Publishing is
idempotent: a version already recorded is left as it is, and its notices resume where they
stopped (policy §13; TP-04, TP-05, DEC-06).
"""

import datetime
import html
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.template.loader_tags import BlockNode
from django.utils import timezone, translation

from declaration.models import PolicyVersion
from declaration.notices import queue_policy_notices
from declaration.policy import cookie_policy_context, privacy_policy_context
from declaration.schema import SIGNIFICANT_CHANGE_NOTICE, Declaration, Version
from declaration.selectors import get_declaration

logger = logging.getLogger(__name__)

DOCUMENTS = {
    "privacy_policy": ("declaration/privacy_policy.html", privacy_policy_context),
    "cookie_policy": ("declaration/cookie_policy.html", cookie_policy_context),
}
LANGUAGE_CODES = ("en", "nb")
# Texts of versions published before the archive was kept, as they stood on the website
# (`<version>.<language>.txt`); a version with no such file is listed with its summary only.
EARLIER_TEXTS = Path(__file__).resolve().parent / "archive"


class PublishRefused(Exception):
    """The version cannot be published as declared; the message says what to change."""


@dataclass
class Published:
    version: PolicyVersion
    created: bool
    notices_queued: int = 0
    earlier_recorded: list[str] = field(default_factory=list)


def render_document(declaration: Declaration, document: str, language: str) -> str:
    """The text of the policy page (its content block) as the site renders it in `language`."""
    template_name, build_context = DOCUMENTS[document]
    template = get_template(template_name).template
    block = next(n for n in template.nodelist.get_nodes_by_type(BlockNode) if n.name == "content")
    # The context in the document's language too: it holds texts made when it is built (country
    # names, safeguards), which would otherwise be frozen in whatever language was active.
    with translation.override(language):
        context = Context(build_context(declaration))
        with context.bind_template(template):
            return block.render(context).strip()


def _earlier_text(version: str, language: str) -> str:
    """A pre-archive version's text file as simple HTML: a paragraph a line, "- " a list item."""
    path = EARLIER_TEXTS / f"{version}.{language}.txt"
    if not path.exists():
        return ""
    parts, in_list = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("- ") != in_list and (line or in_list):
            in_list = line.startswith("- ")
            parts.append("<ul>" if in_list else "</ul>")
        if in_list:
            parts.append(f"<li>{html.escape(line[2:])}</li>")
        elif line:
            parts.append(f"<p>{html.escape(line)}</p>")
    if in_list:
        parts.append("</ul>")
    return '<article class="policy">\n' + "\n".join(parts) + "\n</article>"


def _fields(version: Version) -> dict:
    return {
        "dated": version.date,
        "effective_date": version.takes_effect,
        "significant": version.significant,
        "cookies_changed": version.cookies_changed,
        "summary_en": version.summary.en,
        "summary_nb": version.summary.nb,
    }


def _record_earlier_versions(declaration: Declaration, now: datetime.datetime) -> list[str]:
    """Versions older than the current one that were published before the archive was kept.

    Recorded with their summary (and their text where one was kept in EARLIER_TEXTS), never with
    the current templates' rendering, which would put today's words under an old version. A
    significant change already in force is history and is not announced; one that is not in
    force yet (a deploy that brought it and a newer version at once) still gets its notice, so
    nobody misses a change that has yet to apply to them (TP-05).
    """
    known = set(PolicyVersion.objects.values_list("version", flat=True))
    today = timezone.localdate(now)
    recorded = []
    for version in declaration.versions[1:]:
        if version.version in known:
            continue
        announce = version.significant and version.takes_effect > today
        PolicyVersion.objects.create(
            version=version.version,
            published_at=now,
            privacy_policy_en=_earlier_text(version.version, "en"),
            privacy_policy_nb=_earlier_text(version.version, "nb"),
            notices_completed_at=None if announce else now,
            **_fields(version),
        )
        recorded.append(version.version)
    return recorded


def _refuse_late_notice(version: Version, now: datetime.datetime) -> None:
    """A significant change must reach people before it applies (WP260 rev.01 paras 29-32)."""
    if not version.significant:
        return
    today = timezone.localdate(now)
    if version.takes_effect - today < SIGNIFICANT_CHANGE_NOTICE:
        earliest = today + SIGNIFICANT_CHANGE_NOTICE
        raise PublishRefused(
            f"Version {version.version} is significant and takes effect on "
            f"{version.takes_effect}, fewer than {SIGNIFICANT_CHANGE_NOTICE.days} days from "
            f"today ({today}): the people concerned could not be told in time. Set its "
            f"effective_date to {earliest} or later in declaration.yaml and deploy again."
        )


def publish_policy(*, now: datetime.datetime | None = None) -> Published:
    """Publish the declaration's current version, once: archive its text, then queue its notices.

    The privacy and cookie policies are rendered in every language and frozen in PolicyVersion,
    so the archive keeps showing them after the declaration or the templates change (TP-04). A
    significant version then gets its notices queued (declaration.notices, TP-05), in batches that
    a re-run resumes. A significant version whose effective date is too close to give the
    declared notice is refused with PublishRefused, and nothing is stored.
    """
    declaration = get_declaration()
    current = declaration.current
    now = now or timezone.now()
    with transaction.atomic():
        earlier = _record_earlier_versions(declaration, now)
        version = PolicyVersion.objects.select_for_update().filter(version=current.version).first()
        created = version is None
        if created:
            _refuse_late_notice(current, now)
            texts = {
                f"{document}_{language}": render_document(declaration, document, language)
                for document in DOCUMENTS
                for language in LANGUAGE_CODES
            }
            version = PolicyVersion.objects.create(
                version=current.version, published_at=now, **_fields(current), **texts
            )
            if not current.significant:
                version.notices_completed_at = now
                version.save(update_fields=["notices_completed_at"])
    queued = 0
    # Oldest first, so that people hear of the changes in the order they were made.
    for pending in PolicyVersion.objects.filter(notices_completed_at__isnull=True).order_by(
        "dated"
    ):
        queued += queue_policy_notices(version_id=pending.pk)
    version.refresh_from_db()
    if created:
        logger.info("Published policy version %s (%s notices queued)", version, queued)
    return Published(
        version=version, created=created, notices_queued=queued, earlier_recorded=earlier
    )
