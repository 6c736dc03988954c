"""Privacy requests, the restrictions and objections they set, and the notices to processors."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from declaration.selectors import activity_name, recipient_name
from subjects.legal_duty import KeptUnderLegalDuty
from wekst.deadlines import MAX_EXTENSION_MONTHS


class Request(models.Model):
    """One request from a person to exercise a right of GDPR Art. 15-21 (policy §8).

    Received through the portal (identity then verified by a link sent to the address) or by
    staff from a letter, call or email (staff record how identity was checked). Due one month from
    receipt, extendable by two with a recorded reason (Art. 12(3)). Every step is in the audit log.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access to my data")
        RECTIFICATION = "rectification", _("Correct my data")
        ERASURE = "erasure", _("Erase my data")
        RESTRICTION = "restriction", _("Restrict the use of my data")
        OBJECTION = "objection", _("Object to direct marketing and profiling")
        OBJECTION_LI = "objection_li", _("Object to a processing based on our legitimate interests")
        PORTABILITY = "portability", _("A copy of my data to take elsewhere (portability)")
        WITHDRAWAL = "withdrawal", _("Withdraw my consent")

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("Waiting for identity verification")
        OPEN = "open", _("Verified, in progress")
        FORWARDED = "forwarded", _("Forwarded to the controller (clinic)")
        COMPLETED = "completed", _("Completed")
        REFUSED = "refused", _("Refused")

    class RefusalGround(models.TextChoices):
        # Art. 12(5): the controller bears the burden of showing either; Art. 12(4): reasons.
        MANIFESTLY_UNFOUNDED = "manifestly_unfounded", _("Manifestly unfounded (GDPR Art. 12(5))")
        EXCESSIVE = "excessive", _("Excessive, for example repetitive (GDPR Art. 12(5))")
        EXCEPTION = "exception", _("An exception in the law applies (named in the reasons)")

    class ReceivedVia(models.TextChoices):
        PORTAL = "portal", _("Privacy portal")
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")
        PHONE = "phone", _("Phone")
        CHILD_REPORT = "child_report", _("Report that a child's data was given")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(
        "subjects.Subject",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="privacy_requests",
        help_text="Linked once identity is verified; never before.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNVERIFIED)
    received_via = models.CharField(max_length=16, choices=ReceivedVia.choices)
    email = models.CharField(
        max_length=254, blank=True, help_text="The address the request is answered at."
    )
    details = models.TextField(blank=True, help_text="What the person wrote with the request.")
    corrections = models.JSONField(
        default=dict, blank=True, help_text="Rectification: corrected values, applied on review."
    )
    consent_ids = models.JSONField(
        default=list, blank=True, help_text="Cookie consent ids the person gave as theirs."
    )
    analytics_client_ids = models.JSONField(
        default=list, blank=True, help_text="Google Analytics client ids the person gave."
    )
    objected_activities = models.JSONField(
        default=list,
        blank=True,
        help_text="Objection (Art. 21(1)): the declared activities the person objects to.",
    )
    refusal_ground = models.CharField(
        max_length=24, choices=RefusalGround.choices, blank=True, help_text="Why it was refused."
    )
    language = models.CharField(max_length=8, default="en")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    due_at = models.DateTimeField()
    extended_by_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    identity_check = models.CharField(
        max_length=300, blank=True, help_text="How the person's identity was checked."
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # Only a SHA-256 hash of the link's token is stored; the token itself is only in the email.
    verification_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    verification_expires_at = models.DateTimeField(null=True, blank=True)
    clinic_name = models.CharField(
        max_length=200, blank=True, help_text="The clinic (controller) the data is processed for."
    )
    clinic_email = models.EmailField(blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What was done, or why it was refused.")
    erasure_report = models.JSONField(null=True, blank=True)
    reminded_for_due_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.CharField(
        max_length=150, blank=True, help_text="The staff member who opened it (empty: the portal)."
    )

    declared_activity = "privacy_requests"
    # Erasure keeps the record of the request itself, without the person's contact details, so
    # that we can show we answered it (GDPR Art. 5(2), 17(3)(e); checklist RG-17).
    kept_under_legal_duty = KeptUnderLegalDuty(
        law="GDPR Art. 5(2), 17(3)(e)",
        reason=_(
            "The record that you made a privacy request and how we answered it, without your "
            "contact details, so that we can show that we handled it."
        ),
        retention_rule="request_record",
        counts_from=lambda request: request.closed_at or timezone.now(),
        erase_fields={
            "email": "",
            "details": "",
            "corrections": {},
            "consent_ids": [],
            "analytics_client_ids": [],
            "verification_token_hash": "",
        },
    )

    class Meta:
        ordering = ["due_at", "received_at"]
        indexes = [models.Index(fields=["status", "due_at"])]
        permissions = [
            ("refuse_request", "Can refuse a request as manifestly unfounded or excessive"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(extended_by_months__lte=MAX_EXTENSION_MONTHS),
                name="request_extended_at_most_two_months",
            ),
            models.CheckConstraint(
                condition=Q(status="unverified") | Q(verified_at__isnull=False),
                name="request_past_unverified_is_verified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({str(self.public_id)[:8]})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


OPEN_STATUSES = (Request.Status.OPEN, Request.Status.FORWARDED)


class Restriction(models.Model):
    """A restriction (Art. 18) or objection (Art. 21) in force: the subject's data is kept but not
    used for marketing email or profiling until it is lifted (checklist RG-14, RG-15)."""

    class Kind(models.TextChoices):
        RESTRICTION = "restriction", _("Restriction of processing (Art. 18)")
        OBJECTION = "objection", _("Objection to direct marketing and profiling (Art. 21)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="restrictions"
    )
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="restrictions"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.CharField(max_length=150, blank=True)
    lift_reason = models.CharField(max_length=300, blank=True)

    declared_activity = "privacy_requests"

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["subject", "lifted_at"])]

    def __str__(self) -> str:
        state = _("lifted") if self.lifted_at else _("in force")
        return f"{self.get_kind_display()} ({state})"


class Objection(models.Model):
    """An objection under Art. 21(1) to one processing that rests on legitimate interests.

    In force from verification: the processing stops for the person (rights.processing), unless
    staff record compelling legitimate grounds or legal claims and someone else reviews them; only
    then is it overridden, and the person is sent the decision with its reasons. An objection to
    direct marketing (Art. 21(2)-(3)) is never overridden (checklist RG-15).
    """

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force: the processing is stopped")
        GROUNDS_RECORDED = (
            "grounds_recorded",
            _("Grounds recorded, waiting for review: the processing stays stopped"),
        )
        OVERRIDDEN = "overridden", _("Overridden by reviewed grounds: the processing continues")

    class Ground(models.TextChoices):
        COMPELLING = (
            "compelling",
            _("Compelling legitimate grounds which override your interests, rights and freedoms"),
        )
        LEGAL_CLAIMS = "legal_claims", _("The establishment, exercise or defence of legal claims")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="objections"
    )
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="objections"
    )
    activity = models.CharField(max_length=40, help_text="The activity key in the declaration.")
    direct_marketing = models.BooleanField(
        default=False, help_text="Direct marketing: the objection is absolute (Art. 21(3))."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_FORCE)
    objected_at = models.DateTimeField(default=timezone.now)
    ground = models.CharField(max_length=16, choices=Ground.choices, blank=True)
    grounds_reason = models.TextField(blank=True, help_text="Sent to the person once reviewed.")
    grounds_recorded_by = models.CharField(max_length=150, blank=True)
    grounds_recorded_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    declared_activity = "privacy_requests"

    class Meta:
        ordering = ["-objected_at"]
        permissions = [
            ("record_objection_grounds", "Can record compelling grounds against an objection"),
            ("review_objection_grounds", "Can review grounds that someone else recorded"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "activity"],
                condition=~Q(status="overridden"),
                name="one_objection_in_force_per_activity",
            ),
            # The four-eyes rule and the absolute objection to marketing, in the database too.
            models.CheckConstraint(
                condition=Q(reviewed_by="") | ~Q(reviewed_by=F("grounds_recorded_by")),
                name="objection_grounds_reviewed_by_someone_else",
            ),
            models.CheckConstraint(
                condition=~Q(status="overridden")
                | (Q(direct_marketing=False) & ~Q(reviewed_by="") & ~Q(ground="")),
                name="objection_overridden_only_by_reviewed_grounds_never_marketing",
            ),
        ]

    def __str__(self) -> str:
        return f"{activity_name(self.activity)}: {self.get_status_display()}"


class ProcessorNotice(models.Model):
    """An erasure, rectification or restriction passed on to one processor that received the
    person's data (Art. 17(2), 19): from a privacy request, or an erasure by the retention sweep
    (RT-09).

    Retried with backoff by a task until the processor confirms; a processor we cannot reach by
    API waits for staff, who act in the processor's own interface and mark it done. Not linked to
    the subject (an erased subject is gone first): `identifiers` hold what the processor knows the
    person by, `changes` a rectification's corrected values, and both are cleared as soon as the
    job is done.
    """

    class Kind(models.TextChoices):
        ERASURE = "erasure", _("Erasure")
        RECTIFICATION = "rectification", _("Rectification")
        RESTRICTION = "restriction", _("Restriction")

    class Cause(models.TextChoices):
        REQUEST = "request", _("A privacy request")
        RETENTION = "retention", _("The retention sweep")
        OTHER = "other", _("Another erasure (by staff, or replayed after a restore)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending, will retry")
        MANUAL = "manual", _("Waiting for staff (no automatic connector)")
        DONE = "done", _("Done")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cause = models.CharField(
        max_length=12,
        choices=Cause.choices,
        default=Cause.REQUEST,
        help_text="What the erasure, correction or restriction came from.",
    )
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="processor_notices"
    )
    sweep_run = models.ForeignKey(
        "retention.SweepRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="processor_notices",
        help_text="The retention sweep run whose erasure this passes on (RT-09).",
    )
    subject_ref = models.CharField(max_length=36, blank=True, db_index=True)
    processor = models.CharField(max_length=32, help_text="The recipient key in the declaration.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ERASURE)
    identifiers = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(
        default=dict,
        blank=True,
        help_text="Rectification: the corrected values, only those this processor holds.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["status", "created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} passed on to {recipient_name(self.processor)} "
            f"{str(self.public_id)[:8]} ({self.get_status_display()})"
        )
