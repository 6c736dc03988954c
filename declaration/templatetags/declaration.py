"""Template tags that put declaration facts where personal data is collected (GDPR Art. 13)."""

from django import template

from declaration.selectors import get_declaration

register = template.Library()


@register.inclusion_tag("declaration/collection_notice.html")
def collection_notice(activity_key: str, controller_name: str = "") -> dict:
    """Who the controller is, why the data is used and on what basis, and where the policy is.

    Shown beside every form that collects personal data (conformance item DEC-05). A form that
    collects on a clinic's behalf passes the clinic as `controller_name`.
    """
    declaration = get_declaration()
    activity = declaration.activities[activity_key]
    return {
        "activity": activity,
        "controller": declaration.controller,
        "controller_name": controller_name,
        "retention": declaration.retention_rules[activity.retention],
    }
