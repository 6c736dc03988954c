"""The log of segment exports: what the segments page shows of each export, as fields, beside the
audit entry that records it (policy §10; GDPR Art. 5(2); TP-07, SB-01)."""

from django.db import models

from audit.models import AuditEntry

# The audit entry of an export names the segment as this type, with its key as the object id.
EXPORT_OBJECT_TYPE = "marketing.Segment"


class SegmentExport(models.Model):
    """One export of a segment to a platform, written in the transaction of its audit entry
    (marketing.services.export_segment), so one never exists without the other.

    The audit entry stays the evidence, worded for people and chained by its hash, so never
    rewritten; this row holds the same facts as fields, so that nothing reads them back out of
    the entry's wording. It holds no member of the segment, only how many there were.
    """

    # PROTECT: an entry is removed only from the chain's start, by the audit app, which then
    # decides what goes with it (retention rule audit_record), never by a cascade from here.
    audit_entry = models.OneToOneField(
        AuditEntry, on_delete=models.PROTECT, related_name="segment_export"
    )
    at = models.DateTimeField(help_text="As the audit entry has it.")
    actor = models.CharField(max_length=150, help_text="As the audit entry has it.")
    segment = models.CharField(max_length=64, help_text="The segment's key in the declaration.")
    platform = models.CharField(max_length=64, help_text="The recipient's key in the declaration.")
    people = models.PositiveIntegerField(help_text="How many people the file held.")
    hashed = models.BooleanField(help_text="Hashed addresses only (a platform on its own account).")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.segment} to {self.platform}: {self.people} at {self.at:%Y-%m-%d %H:%M}"
