"""Article bodies: plain text with a few markdown-like marks, rendered to safe HTML.

Everything is escaped first; only the few constructs below produce markup, and a link is made
only for an http(s) address, so an article cannot inject HTML or script (SEC-03).

- a blank line separates paragraphs; a single line break stays a line break
- a line starting with "## " (or "### ") is a heading
- lines starting with "- " form a list
- **bold**, *italic*, [text](https://example.com)
"""

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?![*\w])")
# Runs on escaped text: "&" in a URL is already "&amp;", and quotes cannot appear in it.
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s()<>\"']+)\)")


def _inline(text: str) -> str:
    html = escape(text)
    html = _LINK.sub(r'<a href="\2" rel="nofollow noopener">\1</a>', html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _ITALIC.sub(r"<em>\1</em>", html)


def _block(lines: list[str]) -> str:
    if all(line.startswith("- ") for line in lines):
        items = "".join(f"<li>{_inline(line[2:].strip())}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    if len(lines) == 1 and lines[0].startswith(("## ", "### ")):
        level = 3 if lines[0].startswith("### ") else 2
        return f"<h{level}>{_inline(lines[0].lstrip('#').strip())}</h{level}>"
    return "<p>" + "<br>".join(_inline(line) for line in lines) + "</p>"


# Kept per process for the texts read most (the home page's, for every visitor): the HTML follows
# from the text alone, so an edited text is simply another key (SEC-05).
@lru_cache(maxsize=128)
def render_body(text: str) -> SafeString:
    """The article body as HTML: escaped, with paragraphs, headings, lists, emphasis and links."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    html = "\n".join(
        _block([line.rstrip() for line in block.split("\n")]) for block in blocks if block.strip()
    )
    return mark_safe(html)  # noqa: S308 - every piece of text above went through escape()
