"""Citations of GDPR articles, written the way each site language writes them.

English: "Art. 6(1)(b)"; Norwegian: "art. 6 nr. 1 bokstav b" (the style of Lovdata's Norwegian
text of the regulation). Every page that cites an article builds it here, so that one page never
mixes the two styles (issue 16).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class Citation:
    """An article, with its paragraph and point if any; prints in the active language."""

    article: int
    paragraph: int | None = None
    point: str | None = None

    def __str__(self) -> str:
        return self.in_language(get_language() or "en")

    def in_language(self, language: str) -> str:
        if language.lower().startswith("nb"):
            parts = [f"art. {self.article}"]
            if self.paragraph is not None:
                parts.append(f"nr. {self.paragraph}")
            if self.point:
                parts.append(f"bokstav {self.point}")
            return " ".join(parts)
        text = f"Art. {self.article}"
        if self.paragraph is not None:
            text += f"({self.paragraph})"
        if self.point:
            text += f"({self.point})"
        return text


def cite(article: int, paragraph: int | None = None, point: str | None = None) -> Citation:
    """`cite(6, 1, "b")` prints "Art. 6(1)(b)" in English, "art. 6 nr. 1 bokstav b" in Norwegian."""
    return Citation(article=article, paragraph=paragraph, point=point)
