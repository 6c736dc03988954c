"""The right to complain to the supervisory authority, printed wherever a request is answered
(policy §9; GDPR Art. 15(1)(f), 77)."""

import re

from django import template
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from declaration.citations import cite
from declaration.policy import LEGAL_BASIS_NAMES, ROLE_NAMES
from declaration.selectors import get_declaration

register = template.Library()


@register.inclusion_tag("rights/complaint.html")
def right_to_complain() -> dict:
    return {"authority": get_declaration().supervisory_authority}


# The readable report is in the reader's language; its JSON and CSV keep the stable English keys
# of their schema (docs/rights.md), so the words are chosen here, for the page only (DEC-02).
# Texts the system itself stores in English (redaction markers, the portal's identity check
# and outcome): interface text, so shown in the reader's language. Anything staff typed is shown
# as typed.
SYSTEM_TEXTS = {
    "[Wekst staff]": _("[Wekst staff]"),
    "[Wekst staff mailbox]": _("[Wekst staff mailbox]"),
    "A single-use link sent to the address given was used.": _(
        "A single-use link sent to the address given was used."
    ),
    "The report was made available in the privacy portal.": _(
        "The report was made available in the privacy portal."
    ),
}


@register.filter
def label_in_words(label: str) -> str:
    """A stored field's or record kind's name, translated where the catalogue has it."""
    heading = capfirst(str(label))
    return gettext(heading) if heading else heading


@register.filter
def category_name(key: str) -> str:
    """A declared data category's name in the page's language ("contact" -> "Kontaktopplysninger")."""
    category = get_declaration().data_categories.get(key)
    return category.name.in_language(get_language()) if category else key


@register.filter
def legal_basis_in_words(activity_key: str) -> str:
    activity = get_declaration().activities[activity_key]
    article = activity.legal_basis_article.in_language(get_language())
    return f"{LEGAL_BASIS_NAMES[activity.legal_basis]} ({article})"


@register.filter
def role_name(role: str) -> str:
    """A recipient's role in running text: "processor", "databehandler"."""
    return str(ROLE_NAMES[role]).lower() if role in ROLE_NAMES else role


@register.filter
def shown_value(value):
    """A stored value as it is, but for the texts the system stores (SYSTEM_TEXTS)."""
    return SYSTEM_TEXTS.get(value, value) if isinstance(value, str) else value


@register.filter
def gdpr_article(value) -> str:
    """`16` or `"7(3)"` as the page's language cites it ("Art. 7(3)", "art. 7 nr. 3")."""
    article, paragraph = re.fullmatch(r"(\d+)(?:\((\d+)\))?", str(value)).groups()
    return str(cite(int(article), int(paragraph) if paragraph else None))
