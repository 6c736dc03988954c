"""Articles, their comments, and the profiles of registered users (policy §3f, §7, §12)."""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from content.fields import CleanImageField


class Article(models.Model):
    """A blog post written by staff in the back office; public once published and its time came."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=False)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Plain text. A blank line starts a new paragraph; a line starting with ## is a "
            "heading, with - a list item; **bold**, *italic* and [text](https://…) links work."
        ),
    )
    image = CleanImageField(
        _("image"),
        upload_to="articles/%Y/%m/",
        blank=True,
        help_text=_("Optional. Stored without location or other metadata."),
    )
    image_description = models.CharField(
        _("image description"),
        max_length=200,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(
        _("publication time"),
        default=timezone.now,
        help_text=_("A published article appears from this time on."),
    )
    allow_comments = models.BooleanField(_("comments open"), default=True)
    health_related = models.BooleanField(
        _("health-related"),
        default=False,
        help_text=_(
            "Tick when the page can reveal something about a reader's health (a treatment, a "
            "condition): it then loads no analytics, advertising or embedded content from other "
            "companies, whatever the visitor consented to."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["is_published", "published_at"])]

    def __str__(self) -> str:
        return self.title


class ProfileQuerySet(models.QuerySet):
    def delete(self):
        """Deleting profiles deletes their sign-in accounts and pictures too.

        An erasure (rights app, through the subject index) deletes a person's profiles as a
        queryset; without this the auth.User with its username, address and password would
        stay behind. The profile goes with its account (one-to-one, cascade); the picture files
        are deleted once the deletion is committed.
        """
        storage = self.model._meta.get_field("avatar").storage
        avatars = list(self.exclude(avatar="").values_list("avatar", flat=True))
        user_ids = list(self.values_list("user_id", flat=True))
        deleted = get_user_model().objects.filter(pk__in=user_ids).delete()
        if avatars:
            transaction.on_commit(lambda: [storage.delete(name) for name in avatars])
        return deleted

    delete.alters_data = True
    delete.queryset_only = True


class Profile(models.Model):
    """A registered user's own profile, which they can view, edit and delete (policy §7; USR-01).

    The sign-in account is Django's auth.User (username, password, email); the profile holds the
    rest and links the person to the subject index, so access and erasure requests find it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # PROTECT: a subject is deleted only after its profiles (and so their accounts) are; a
    # cascade from the subject would leave the sign-in account behind.
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.PROTECT, related_name="profiles"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    bio = models.TextField(_("about you"), max_length=1000, blank=True)
    avatar = CleanImageField(_("profile picture"), upload_to="avatars/", blank=True)
    # The age confirmation given at sign-up (policy §12, GDPR Art. 8) and the policy in force.
    age_confirmed_at = models.DateTimeField()
    policy_version = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProfileQuerySet.as_manager()

    def __str__(self) -> str:
        return self.user.get_username()

    @property
    def display_name(self) -> str:
        return self.name or self.user.get_username()


class Comment(models.Model):
    """A comment on an article: pending until approved by staff, or approved at once for a
    commenter recognised by an earlier approved comment (COM-01).

    Kept until deleted (retention rule comment_until_deleted). The truncated IP address and the
    user agent are kept only for the short period of the comment_metadata rule, for spotting
    abuse; recognition never uses them, only the keyed hash of the email address (checklist
    RT-06, note N4). An anonymised comment (its author deleted their profile but kept the text)
    has no subject, name or hash left.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    subject = models.ForeignKey(
        "subjects.Subject",
        on_delete=models.CASCADE,
        related_name="comments",
        null=True,
        blank=True,
    )
    profile = models.ForeignKey(
        Profile, on_delete=models.SET_NULL, related_name="comments", null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    text = models.TextField(_("comment"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    auto_approved = models.BooleanField(
        default=False, help_text="Approved at once: an earlier comment of this address was."
    )
    # HMAC-SHA256 of the normalised email address, keyed with the secret key: enough to recognise
    # a returning commenter, useless to anyone who reads the table.
    email_digest = models.CharField(max_length=64, blank=True, db_index=True)
    # Abuse-handling metadata, dropped after the comment_metadata period (IPv4 /24, IPv6 /48).
    ip_address = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    policy_version = models.CharField(max_length=32)
    language = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["article", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name or '-'} on {self.article}"


class Page(models.Model):
    """A page of the agency's website (home, services, about), in English and Norwegian, written
    by staff in the back office; its body uses the same plain-text marks as an article."""

    slug = models.SlugField(
        _("address"),
        max_length=50,
        unique=True,
        help_text=_("Which page this is: home, services or about."),
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_nb = models.CharField(_("title (Norwegian)"), max_length=200)
    description_en = models.CharField(
        _("description (English)"),
        max_length=160,
        help_text=_("One or two sentences shown by search engines (at most 160 characters)."),
    )
    description_nb = models.CharField(_("description (Norwegian)"), max_length=160)
    body_en = models.TextField(
        _("body (English)"),
        help_text=_(
            "Plain text. A blank line starts a new paragraph; a line starting with ## is a "
            "heading, with - a list item; **bold**, *italic* and [text](https://…) links work."
        ),
    )
    body_nb = models.TextField(_("body (Norwegian)"))
    health_related = models.BooleanField(
        _("health-related"),
        default=False,
        help_text=_(
            "Tick when the page can reveal something about a reader's health (a treatment, a "
            "condition): it then loads no analytics, advertising or embedded content from other "
            "companies, whatever the visitor consented to."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("website page")
        verbose_name_plural = _("website pages")

    def __str__(self) -> str:
        return self.title_en

    def in_language(self, language: str) -> dict:
        """The page's title, description and body in the visitor's language (English otherwise)."""
        nb = language == "nb"
        return {
            "title": self.title_nb if nb else self.title_en,
            "description": self.description_nb if nb else self.description_en,
            "body": self.body_nb if nb else self.body_en,
        }
