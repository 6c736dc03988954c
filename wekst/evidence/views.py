"""The privacy officer's button: download the evidence pack (audited; every other role gets 403)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.services import actor_of, record_event
from staff.roles import PRIVACY_OFFICER
from wekst.evidence.pack import build_evidence_pack


def is_privacy_officer(user) -> bool:
    return user.is_active and user.groups.filter(name=PRIVACY_OFFICER.group).exists()


@require_POST
@staff_member_required
def evidence_pack(request):
    # Only the privacy officer: the pack is what the controller hands the authority (Art. 31),
    # and the request log and breach register are theirs to answer for.
    if not is_privacy_officer(request.user):
        raise PermissionDenied
    now = timezone.now()
    data = build_evidence_pack(now=now)
    record_event(
        actor=actor_of(request.user),
        action="export",
        object_type="wekst.EvidencePack",
        reason="Evidence pack downloaded",
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="evidence-pack-{now:%Y%m%d-%H%M}.zip"'
    return response
