"""Published policy versions and the progress of their notices, for staff (TP-04, TP-05)."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedModelAdmin, ReadOnlyAdminMixin
from declaration.models import PolicyNotice, PolicyVersion
from mail.models import OutgoingEmail


class ReadOnlyAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """Published versions and their notices are records: publish_policy writes them, no one
    edits them."""


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "version",
        "dated",
        "effective_date",
        "significant",
        "published_at",
        "notices_queued",
        "notices_sent",
        "notices_waiting",
        "notices_completed_at",
    ]
    list_filter = ["significant", "cookies_changed"]
    exclude = [
        "privacy_policy_en",
        "privacy_policy_nb",
        "cookie_policy_en",
        "cookie_policy_nb",
    ]

    def get_queryset(self, request):
        sent = Q(notices__email__status=OutgoingEmail.Status.SENT)
        return (
            super()
            .get_queryset(request)
            .annotate(queued=Count("notices__email"), sent=Count("notices", filter=sent))
        )

    @admin.display(description=_("notices queued"), ordering="queued")
    def notices_queued(self, obj):
        return obj.queued

    @admin.display(description=_("notices sent"), ordering="sent")
    def notices_sent(self, obj):
        return obj.sent

    @admin.display(description=_("notices not sent yet"))
    def notices_waiting(self, obj):
        return obj.queued - obj.sent


@admin.register(PolicyNotice)
class PolicyNoticeAdmin(ReadOnlyAdmin):
    list_display = ["version", "subject", "language", "queued_at", "delivery"]
    list_filter = ["version", "email__status", "language"]
    list_select_related = ["version", "subject", "email"]

    @admin.display(description=_("delivery"))
    def delivery(self, obj):
        if obj.email is None:
            return _("no email (no address, or its copy was deleted)")
        return obj.email.get_status_display()
