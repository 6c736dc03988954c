"""The right to complain to the supervisory authority, printed wherever a request is answered
(policy §9; GDPR Art. 15(1)(f), 77)."""

from django import template

from declaration.selectors import get_declaration

register = template.Library()


@register.inclusion_tag("rights/complaint.html")
def right_to_complain() -> dict:
    return {"authority": get_declaration().supervisory_authority}
