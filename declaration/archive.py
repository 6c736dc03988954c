"""The archive of published policy versions: a readable difference between any two (TP-04).

Built from the frozen snapshots (declaration.models.PolicyVersion), never from the declaration in
force, so the difference shows what the published texts said, whatever the YAML says today.
"""

import difflib
from dataclasses import dataclass
from html.parser import HTMLParser

from django.db.models import QuerySet

from declaration.models import PolicyVersion

# Elements that end a paragraph of the text; table cells are joined within their row.
BLOCK_TAGS = frozenset(
    "p li h1 h2 h3 h4 h5 h6 dt dd caption tr address figcaption blockquote".split()
)
CELL_TAGS = frozenset({"th", "td"})
# Unchanged paragraphs shown around each change; longer unchanged runs are folded.
CONTEXT = 2


class _Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._parts: list[str] = []

    def _flush(self) -> None:
        text = " ".join(" ".join(self._parts).split())
        if text.strip(" |"):
            self.paragraphs.append(text.strip(" |"))
        self._parts = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._flush()
        elif tag in CELL_TAGS and self._parts:
            self._parts.append("|")

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        self._parts.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def paragraphs_of(text: str) -> list[str]:
    """The text of a snapshot as plain paragraphs, in reading order."""
    parser = _Paragraphs()
    parser.feed(text)
    parser.close()
    return parser.paragraphs


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "added", "removed" or "folded" (`text` then says how many)
    text: str


def difference(old: str, new: str) -> list[Line]:
    """Paragraph by paragraph: kept, removed from `old`, added in `new`; long unchanged runs are
    folded into one line giving their count."""
    before, after = paragraphs_of(old), paragraphs_of(new)
    lines: list[Line] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            same = before[i1:i2]
            if len(same) > 2 * CONTEXT + 1:
                head = same[:CONTEXT] if lines else []
                tail = same[-CONTEXT:] if i2 < len(before) or j2 < len(after) else []
                lines += [Line("same", p) for p in head]
                lines.append(Line("folded", str(len(same) - len(head) - len(tail))))
                lines += [Line("same", p) for p in tail]
            else:
                lines += [Line("same", p) for p in same]
            continue
        lines += [Line("removed", p) for p in before[i1:i2]]
        lines += [Line("added", p) for p in after[j1:j2]]
    return lines


def published_versions() -> QuerySet[PolicyVersion]:
    """Every published version, newest first."""
    return PolicyVersion.objects.all()


def get_published_version(version: str) -> PolicyVersion | None:
    # A version name is short and printable; anything else (a NUL byte, which PostgreSQL cannot
    # compare) is an unknown version, never looked up.
    if not version or len(version) > 32 or not version.isprintable():
        return None
    return PolicyVersion.objects.filter(version=version).first()
