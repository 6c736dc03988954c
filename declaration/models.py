"""Published versions of the policy, frozen as published, and the notices of a significant change.

The declaration in the repository is the source; a version is *published* when a deploy brings it
and `manage.py publish_policy` records it here (declaration.publishing). Its text is kept as it
was rendered then, so every past version stays readable after the YAML or the templates change
(TP-04), and the notices of a significant change are recorded per person, so they go once (TP-05).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyVersion(models.Model):
    """One version of the privacy and cookie policies as published, in both languages (TP-04).

    Never changed after publication: the archive and the differences between versions are built
    from these snapshots, not from the declaration in force.
    """

    version = models.CharField(_("version"), max_length=32, unique=True)
    dated = models.DateField(_("date (last updated)"))
    effective_date = models.DateField(_("takes effect on"))
    significant = models.BooleanField(_("significant change"), default=False)
    cookies_changed = models.BooleanField(_("cookie part changed"), default=False)
    summary_en = models.TextField(_("what changed (English)"))
    summary_nb = models.TextField(_("what changed (Norwegian)"))
    published_at = models.DateTimeField(_("published at"))
    # The rendered policy text (the page's <article>), empty for a version published before the
    # archive was kept: it is listed with its summary and no copy.
    privacy_policy_en = models.TextField(blank=True)
    privacy_policy_nb = models.TextField(blank=True)
    cookie_policy_en = models.TextField(blank=True)
    cookie_policy_nb = models.TextField(blank=True)
    # Set once every person concerned has a notice queued (a significant version only).
    notices_completed_at = models.DateTimeField(_("notices all queued at"), null=True, blank=True)

    class Meta:
        ordering = ["-dated", "-published_at"]
        verbose_name = _("published policy version")
        verbose_name_plural = _("published policy versions")

    def __str__(self) -> str:
        return self.version

    @property
    def archived(self) -> bool:
        return bool(self.privacy_policy_en)

    def summary(self, language: str) -> str:
        return self.summary_nb if language.lower().startswith("nb") else self.summary_en

    def text(self, document: str, language: str) -> str:
        """The snapshot of `document` ("privacy_policy" or "cookie_policy") in `language`."""
        # A version published before the archive was kept may exist in English only.
        if language.lower().startswith("nb") and getattr(self, f"{document}_nb"):
            return getattr(self, f"{document}_nb")
        return getattr(self, f"{document}_en")


class PolicyNotice(models.Model):
    """The notice of a significant change, queued once to one person (GDPR Art. 13(3), 12(1)).

    A service message, not marketing: the person is told because the policy they were given
    changes. One per version and person, so a re-run of publish_policy never sends it twice.
    """

    # The activity an access report lists these records under (rights.selectors).
    declared_activity = "policy_notices"

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="notices")
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="policy_notices"
    )
    email = models.ForeignKey(
        "mail.OutgoingEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The language the notice was written in; empty when unknown (then it is in both).
    language = models.CharField(max_length=8, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "subject"], name="one_policy_notice_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"Notice of policy {self.version_id} to subject {self.subject_id}"
