"""Reading articles and comments as the public sees them, and recognising returning commenters."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac

from consent.selectors import first_with_visitor_consent
from content.models import Article, Comment, Page, Profile
from declaration.selectors import get_declaration
from wekst.addresses import normalise_email
from wekst.prepared import OneRowQuery

# The declared rule for the IP address and user agent kept with a comment (declaration.yaml).
COMMENT_METADATA_RULE = "comment_metadata"


def published_articles(*, now: datetime.datetime | None = None) -> QuerySet[Article]:
    """Articles the public may read: published, and their publication time has come."""
    return Article.objects.filter(is_published=True, published_at__lte=now or timezone.now())


def get_published_article(*, slug: str) -> Article:
    """The published article with this slug; 404 for a draft, a future one or an unknown slug."""
    article = published_articles().filter(slug=slug).first()
    if article is None:
        raise Http404("No such article")
    return article


def approved_comments(*, article: Article) -> QuerySet[Comment]:
    """What the public sees under an article: approved comments only, oldest first."""
    return article.comments.filter(status=Comment.Status.APPROVED).select_related(
        "profile", "profile__user"
    )


def email_digests(email: str) -> list[str]:
    """Keyed hashes (HMAC-SHA256) of the normalised address: the current key's first.

    Rotating the secret key keeps the old one in SECRET_KEY_FALLBACKS, and comments hashed under
    it still recognise their author.
    """
    value = normalise_email(email)
    return [
        salted_hmac("content.Comment", value, secret=key, algorithm="sha256").hexdigest()
        for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    ]


def is_recognised_commenter(*, email: str) -> bool:
    """True when an earlier comment from this address was approved (policy §7; COM-01).

    Only the keyed hash of the address is compared: no IP address, user agent or cookie.
    """
    return Comment.objects.filter(
        email_digest__in=email_digests(email), status=Comment.Status.APPROVED
    ).exists()


def comment_metadata_cutoff(*, now: datetime.datetime | None = None) -> datetime.datetime:
    """Comments posted before this time are past the declared period for their IP address and
    user agent (rule comment_metadata); retention's sweep passes it to drop_comment_metadata."""
    now = now or timezone.now()
    rule = get_declaration().retention_rules[COMMENT_METADATA_RULE]
    # expires_after(start) = start + period, so the cutoff is the start that expires now.
    return now - (rule.expires_after(now) - now)


def account_with_address(*, email: str, other_than=None):
    """The sign-in account whose address is `email` as the subject index reads an address
    (trimmed, in any case, "İ" as "i": wekst.addresses.normalise_email), or None; `other_than` (a user)
    is left out. One account per address (USR-01): the database's case-insensitive match alone
    tells "İna@…" from "ina@…", which the index holds as one person, so a second account was let
    in and joined to the first one's person (their access report showed it, their erasure
    deleted it)."""
    same_person = Q(profile__subject__email=normalise_email(email))
    accounts = get_user_model().objects.filter(Q(email__iexact=email.strip()) | same_person)
    if other_than is not None:
        accounts = accounts.exclude(pk=other_than.pk)
    return accounts.order_by("pk").first()


def get_profile_of(user) -> Profile | None:
    """The signed-in user's own profile (None for staff accounts and visitors)."""
    if not user.is_authenticated:
        return None
    return Profile.objects.filter(user=user).select_related("user", "subject").first()


def people_told_of_policy_changes(*, cutoff: datetime.datetime) -> list[tuple[int, str]]:
    """Registered users who are not staff, by `cutoff`, language unknown (declaration.audiences;
    TP-05)."""
    users = Profile.objects.filter(
        created_at__lte=cutoff, user__is_staff=False, user__is_active=True
    )
    return [(subject_id, "") for subject_id in users.values_list("subject_id", flat=True)]


# The views whose page staff can mark health-related, and how each names its content.Page.
PAGE_VIEWS = {"content:home": "home", "content:services": "services", "content:about": "about"}


def is_health_related_page(request) -> bool:
    """Whether the request is for an article or a website page staff marked health-related: the
    sensitive-page guard then loads nothing of another company on it (consent.guard; CON-10)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    if match.view_name == "content:article":
        return Article.objects.filter(slug=match.kwargs.get("slug"), health_related=True).exists()
    slug = PAGE_VIEWS.get(match.view_name)
    if slug is None:
        return False
    # The page's view loaded the page already (get_page with the request): its flag, no query.
    loaded = getattr(request, _LOADED_PAGE, None)
    if loaded is not None and loaded[0] == slug:
        return loaded[1]
    return Page.objects.filter(slug=slug, health_related=True).exists()


# Read for every visitor of a page: compiled once (wekst/prepared.py).
_PAGE = OneRowQuery(Page, lambda slug: Page.objects.filter(slug=slug))

# Where get_page notes, on the request, the slug it loaded and whether staff marked it
# health-related (a removed page is not).
_LOADED_PAGE = "_wekst_content_page"


def get_page(*, slug: str, language: str, request=None) -> dict | None:
    """A website page's title, description and body in the language, or None when staff removed
    it (the home page then falls back to its built-in text; another page is not found).

    With the request, its health-related flag is noted on it, so that the sensitive-page guard
    asks the database nothing more for this page (is_health_related_page; issue 23), and the
    visitor's logged consent decision, which the page's banner and embeds ask for next, is read
    in the same round trip (consent.selectors.first_with_visitor_consent).
    """
    page = (
        _PAGE.first(slug) if request is None else first_with_visitor_consent(request, _PAGE, slug)
    )
    if request is not None:
        setattr(request, _LOADED_PAGE, (slug, bool(page and page.health_related)))
    return page.in_language(language) if page else None
