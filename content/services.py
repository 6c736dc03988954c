"""Comments, registered users and children's data: the actions behind the public pages.

Policy §3f (uploads), §7 (comments and registered users), §12 (children); conformance items
COM-01, USR-01, UPL-01, CHI-01.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from content import selectors
from content.models import Article, Comment, Profile
from declaration.selectors import age_of_consent, get_declaration
from rights.services.opening import open_request
from subjects.models import Subject
from subjects.selectors import records_of
from subjects.services import get_or_create_subject, lock_subject_of
from wekst.addresses import normalise_email
from wekst.ip import truncate_ip

USER_AGENT_MAX_LENGTH = Comment._meta.get_field("user_agent").max_length
NAME_MAX_LENGTH = Comment._meta.get_field("name").max_length
# Comments whose metadata is dropped per transaction: a long sweep holds no lock for long.
METADATA_BATCH_SIZE = 500


def _one_line(value: str, max_length: int) -> str:
    return " ".join(value.split())[:max_length]


def post_comment(
    *,
    article: Article,
    name: str,
    email: str,
    text: str,
    ip_address: str,
    user_agent: str,
    language: str,
    profile: Profile | None = None,
) -> Comment:
    """Store a comment; pending moderation, or approved at once for a recognised commenter.

    A commenter is recognised when an earlier comment from the same address (compared by its
    keyed hash only) was approved: the policy keeps comment data "so we can recognise and
    approve follow-up comments automatically" (§7; COM-01). The comment is linked to the subject,
    so access and erasure requests include it. The IP address is kept truncated (IPv4 /24,
    IPv6 /48), and it and the user agent only until drop_comment_metadata removes them.
    The caller has checked the age confirmation (§12; CHI-01) before calling.
    """
    digests = selectors.email_digests(email)
    with transaction.atomic():
        # Locked until the end, as every change to a person's records takes it: a person erased
        # or whose account was deleted meanwhile is added again, not missing (a 500).
        subject, _new = get_or_create_subject(email=email, lock=True)
        recognised = selectors.is_recognised_commenter(email=email)
        now = timezone.now()
        return Comment.objects.create(
            article=article,
            subject=subject,
            profile=profile,
            name=_one_line(name, NAME_MAX_LENGTH),
            text=text.replace("\r\n", "\n").strip(),
            status=Comment.Status.APPROVED if recognised else Comment.Status.PENDING,
            auto_approved=recognised,
            moderated_at=now if recognised else None,
            email_digest=digests[0],
            ip_address=truncate_ip(ip_address) or "",
            user_agent=_one_line(user_agent, USER_AGENT_MAX_LENGTH),
            policy_version=get_declaration().current.version,
            language=language,
            created_at=now,
        )


def moderate_comments(*, comment_ids: list[int], decision: str, actor: str) -> int:
    """Approve or reject comments (staff moderation, COM-01); returns how many changed.

    An approved comment makes its author recognised: their next comment is approved at once.
    Each change is in the audit log, by reference only.
    """
    status = Comment.Status(decision)
    if status == Comment.Status.PENDING:
        raise ValueError("A moderation decision is approved or rejected.")
    changed = 0
    with transaction.atomic():
        comments = (
            Comment.objects.select_for_update(of=("self",))
            .filter(pk__in=comment_ids)
            .exclude(status=status)
            .select_related("subject")
        )
        now = timezone.now()
        for comment in comments:
            comment.status = status
            comment.auto_approved = False
            comment.moderated_at = now
            comment.save(update_fields=["status", "auto_approved", "moderated_at"])
            record_event(
                actor=actor,
                action="change",
                object_type="content.Comment",
                object_id=comment.pk,
                subject_ref=comment.subject.public_id if comment.subject else "",
                reason=f"comment {status.value}",
            )
            changed += 1
    return changed


def drop_comment_metadata(*, older_than: datetime.datetime) -> int:
    """Remove the IP address and user agent of every comment posted before `older_than`.

    Retention rule comment_metadata (declared period, 30 days): the comment itself stays until
    deleted, but what was kept only to handle abuse goes (GDPR Art. 5(1)(c),(e); checklist
    RT-06, note N4). Recognition of returning commenters does not depend on it. Works in bounded
    batches, one transaction each; returns how many comments were cleaned. Retention's daily
    sweep calls it with selectors.comment_metadata_cutoff().
    """
    cleaned = 0
    while True:
        with transaction.atomic():
            batch = list(
                Comment.objects.filter(created_at__lt=older_than)
                .exclude(ip_address="", user_agent="")
                .values_list("pk", flat=True)[:METADATA_BATCH_SIZE]
            )
            if not batch:
                return cleaned
            cleaned += Comment.objects.filter(pk__in=batch).update(ip_address="", user_agent="")


def _forget_subject_if_unused(subject: Subject) -> None:
    """Delete a subject that no record points to any more: an address kept for nothing."""
    Subject.objects.select_for_update().filter(pk=subject.pk).first()
    if not any(queryset.exists() for queryset in records_of(subject).values()):
        subject.delete()


def register_user(
    *,
    username: str,
    email: str,
    password: str = "",
    name: str = "",
    password_hash: str = "",
    age_confirmed_at: datetime.datetime | None = None,
) -> Profile:
    """Create a registered user's account and profile, linked to the subject (USR-01).

    Registration is optional and rests on consent (declared activity "comments"); the caller has
    checked the age confirmation (§12; CHI-01), whose time is kept as proof with the policy
    version in force. Raises ValidationError when the username or address is already taken.
    The password comes as typed, or as its hash from a sign-up link (content.signup).
    """
    user_model = get_user_model()
    email = email.strip()
    try:
        with transaction.atomic():
            # The person's row first, locked until the end: two sign-up links for one address
            # confirmed at once made two accounts, each finding the address free.
            subject, _new = get_or_create_subject(email=email, lock=True)
            if selectors.account_with_address(email=email) is not None:
                raise ValidationError(
                    _("This email address cannot be used for a new account."), code="email"
                )
            user = user_model.objects.create_user(
                username=username, email=email, password=password or None
            )
            if password_hash:
                user.password = password_hash
                user.save(update_fields=["password"])
            return Profile.objects.create(
                user=user,
                subject=subject,
                name=_one_line(name, NAME_MAX_LENGTH),
                age_confirmed_at=age_confirmed_at or timezone.now(),
                policy_version=get_declaration().current.version,
            )
    except IntegrityError:
        raise ValidationError(
            _("This username is already taken; please choose another."), code="username"
        ) from None


def update_profile(
    *,
    profile: Profile,
    name: str,
    email: str,
    bio: str,
    avatar=None,
    actor: str = "self",
) -> Profile:
    """Save a registered user's own changes to their profile (policy §7: "viewed, edited ... at
    any time (except the username)"; GDPR Art. 16; USR-01).

    `avatar` is a CleanImage to store, False to remove the picture, or None to keep it. A
    changed address moves the profile and the comments posted while signed in to the subject of
    the new address, so requests about either address find what belongs to it. A replaced
    picture's file is deleted once the change is committed.
    """
    email = email.strip()
    with transaction.atomic():
        _lock_the_person_of(profile)
        profile = (
            Profile.objects.select_for_update()
            .select_related("user", "subject")
            .filter(pk=profile.pk)
            .first()
        )
        if profile is None:  # deleted meanwhile, by the person or by an erasure
            raise ValidationError(_("This account no longer exists."), code="gone")
        user = profile.user
        old_avatar = profile.avatar.name if profile.avatar else ""
        if normalise_email(email) != normalise_email(user.email):
            # Locked before the check, as at registration: one account per address.
            new_subject, _new = get_or_create_subject(email=email, lock=True)
            if selectors.account_with_address(email=email, other_than=user) is not None:
                raise ValidationError(
                    _("This email address cannot be used for this account."), code="email"
                )
            old_subject = profile.subject
            profile.subject = new_subject
            Comment.objects.filter(profile=profile).update(
                subject=profile.subject, email_digest=selectors.email_digests(email)[0]
            )
            user.email = email
            user.save(update_fields=["email"])
            profile.save(update_fields=["subject"])
            _forget_subject_if_unused(old_subject)
        profile.name = _one_line(name, NAME_MAX_LENGTH)
        profile.bio = bio.replace("\r\n", "\n").strip()
        if avatar is False:
            profile.avatar = None
        elif avatar is not None:
            profile.avatar = avatar
        profile.save()
        record_event(
            actor=actor,
            action="change",
            object_type="content.Profile",
            object_id=profile.pk,
            subject_ref=profile.subject.public_id,
            reason="profile edited",
        )
        new_avatar = profile.avatar.name if profile.avatar else ""
        if old_avatar and old_avatar != new_avatar:
            storage = profile.avatar.storage
            transaction.on_commit(lambda: storage.delete(old_avatar))
    return profile


def rename_user(*, profile: Profile, username: str, actor: str) -> Profile:
    """Change a registered user's username: administrators only (policy §7), for instance when
    the username itself is inaccurate personal data (GDPR Art. 16; checklist note N14)."""
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.select_for_update().get(pk=profile.user_id)
        if user.get_username() == username:
            return profile
        if user_model.objects.filter(username=username).exclude(pk=user.pk).exists():
            raise ValidationError(_("This username is already taken."), code="username")
        user.username = username
        user.save(update_fields=["username"])
        record_event(
            actor=actor,
            action="change",
            object_type="content.Profile",
            object_id=profile.pk,
            subject_ref=profile.subject.public_id,
            reason="username changed by an administrator",
        )
    profile.user = user
    return profile


def delete_profile(*, profile: Profile, delete_comments: bool, actor: str = "self") -> None:
    """Delete a registered user's account, profile and picture (policy §7; GDPR Art. 17; USR-01).

    Deletion is irreversible, so it removes everything that identifies the person through the
    account: the sign-in account (username, password, address), the profile and its picture.
    Comments posted while signed in are deleted with it when the person asks; otherwise their
    text stays published without any name, address, hash or link to a person (anonymised), so
    nothing the person left behind points to them. Comments posted without signing in are not
    touched: the account never proved it owns that address, and erasing them is a matter for an
    erasure request (verified by email). The subject is deleted when nothing else refers to it.
    """
    with transaction.atomic():
        _lock_the_person_of(profile)
        profile = (
            Profile.objects.select_for_update()
            .select_related("user", "subject")
            .filter(pk=profile.pk)
            .first()
        )
        if profile is None:  # deleted meanwhile (an erasure of the person): nothing left to do
            return
        subject, user = profile.subject, profile.user
        comments = Comment.objects.filter(profile=profile)
        if delete_comments:
            removed = comments.delete()[0]
        else:
            removed = comments.update(
                subject=None,
                profile=None,
                name="",
                email_digest="",
                ip_address="",
                user_agent="",
            )
        avatar = profile.avatar.name if profile.avatar else ""
        storage = profile.avatar.storage
        record_event(
            actor=actor,
            action="erase",
            object_type="content.Profile",
            object_id=profile.pk,
            subject_ref=subject.public_id,
            reason=(
                f"profile deleted; {removed} comments "
                + ("deleted" if delete_comments else "anonymised")
            ),
        )
        user.delete()  # the profile goes with it (one-to-one, cascade)
        _forget_subject_if_unused(subject)
        if avatar:
            transaction.on_commit(lambda: storage.delete(avatar))


def _lock_the_person_of(profile: Profile) -> None:
    """The account's person locked before the account, as every change to a person's records
    takes them (docs/security.md): an account deleted while staff erased the person deadlocked,
    each holding what the other needed next (found 8 Dec 2026)."""
    lock_subject_of(Profile.objects.filter(pk=profile.pk))


def report_child_data(
    *, email: str, details: str, reporter_email: str = "", language: str = ""
) -> None:
    """Open an erasure request for data reported as given by a child (policy §12; CHI-01).

    GDPR Art. 17(1)(f), 8(1): data collected from a child on the basis of consent is erased. The
    request goes to staff through the privacy-request register with a short deadline
    (CHILD_REPORT_DUE_DAYS, well inside the one month of Art. 12(3)); staff check the report and
    erase, and the erasure leaves a suppression entry. The caller answers the same whatever is
    found, so a report never reveals whether the address is known.
    """
    lines = [
        "Reported as personal data given by a child under "
        f"{age_of_consent()} (privacy policy §12; GDPR Art. 8, 17(1)(f)).",
        f"Reporter's address for the reply: {reporter_email.strip() or '(none given)'}",
    ]
    if details.strip():
        lines.append(f"Reporter's note: {details.strip()}")
    with transaction.atomic():
        open_request(
            kind="erasure",
            email=email.strip(),
            received_via="child_report",
            details="\n".join(lines),
            due_in_days=settings.CHILD_REPORT_DUE_DAYS,
            language=language,
        )
