"""The consent log: every cookie decision, kept as proof of what was chosen (GDPR Art. 7(1))."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ConsentDecision(models.Model):
    """One decision made in one browser, never changed afterwards (CON-03).

    The browser is known only by a random consent id, also kept in its `wekst_consent` cookie;
    a later change or withdrawal is a new row with the same id. No raw IP address and no user
    agent is stored: the address is truncated (IPv4 /24, IPv6 /48) or left out.
    """

    class Action(models.TextChoices):
        ACCEPT_ALL = "accept_all", "Accept all"
        REJECT_ALL = "reject_all", "Reject all"
        CHOOSE = "choose", "Chosen per category"

    class Method(models.TextChoices):
        BANNER = "banner", "Banner (first choice)"
        SETTINGS = "settings", "Cookie settings (change or withdrawal)"

    consent_id = models.UUIDField(editable=False)  # indexed with its order: consent_history
    # The receipt's id (CK-09). Looked up only together with the consent id, whose index finds
    # the few rows of one browser, so it needs no index of its own on the busiest write.
    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    method = models.CharField(max_length=16, choices=Method.choices)
    analytics = models.BooleanField()
    marketing = models.BooleanField()
    embedded = models.BooleanField()
    gpc = models.BooleanField(
        "Global Privacy Control", help_text="The browser sent a GPC signal: a refusal."
    )
    banner_version = models.CharField(max_length=32)
    policy_version = models.CharField(max_length=32)
    language = models.CharField(max_length=8)
    banner_text_hash = models.CharField(
        "banner text (SHA-256)",
        max_length=64,
        blank=True,
        help_text="SHA-256 of the exact banner text shown (a BannerText); empty before it was kept.",
    )
    truncated_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            # A browser's decisions newest first, as the log is ordered: its latest one is read on
            # every page a returning visitor opens (CON-08; consent.selectors.latest_decision).
            # One index probe whatever the table's statistics say; with the consent id alone,
            # PostgreSQL may walk the whole log backwards by time instead (docs/benchmarks.md).
            models.Index(fields=["consent_id", "-decided_at", "-id"], name="consent_history"),
            # The consent figures (consent.analytics) count the banner's decisions of the last
            # days by action and category. With every column they read in the index, PostgreSQL
            # counts from the index alone, without reading the log's rows: at 3 million decisions,
            # the workbench's 30 days took about a second from the rows (docs/benchmarks.md).
            models.Index(
                fields=["decided_at", "action", "analytics", "marketing", "embedded", "gpc", "id"],
                name="consent_banner_figures",
                condition=Q(method="banner"),
            ),
        ]
        constraints = [
            # A Global Privacy Control signal is a refusal of analytics and marketing (CON-07).
            models.CheckConstraint(
                condition=Q(gpc=False) | Q(analytics=False, marketing=False),
                name="consent_gpc_refuses_analytics_and_marketing",
            ),
            models.CheckConstraint(
                condition=~Q(action="reject_all")
                | Q(analytics=False, marketing=False, embedded=False),
                name="consent_reject_all_refuses_everything",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consent_id} at {self.decided_at:%Y-%m-%d %H:%M}"


class BannerText(models.Model):
    """The exact text of the consent banner in one language and banner version (CK-08, CK-09).

    Each distinct text is kept once, under its SHA-256, when a decision is first made under it,
    so that the hash a decision carries leads to the wording the visitor saw, not only to a
    version number (EDPB 05/2020 para 108). It names no one, so no retention rule deletes it:
    the proof of every decision still in the log points at it.
    """

    sha256 = models.CharField("SHA-256", max_length=64, primary_key=True, editable=False)
    language = models.CharField(max_length=8)
    banner_version = models.CharField(max_length=32)
    text = models.TextField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.banner_version} ({self.language}) {self.sha256[:12]}"
