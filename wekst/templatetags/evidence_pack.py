"""Whether the back office shows the evidence pack button: to the privacy officer only."""

from django import template

from wekst.evidence.views import is_privacy_officer

register = template.Library()


@register.filter
def may_download_evidence_pack(user) -> bool:
    return is_privacy_officer(user)
