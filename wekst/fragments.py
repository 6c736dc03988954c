"""Pieces of public pages that are the same for every visitor, rendered once per process (SEC-05).

A returning visitor's page cannot come whole from the first-visit cache (wekst/pagecache.py): its
banner shows their choice, its embed their consent, its header whether they are signed in. Most
of it, though, is the same for everyone in the same language: the navigation, the calls to
action, the footer, the banner's words for each state it can be in. Rendering those through the
template engine for each request cost most of the page's instructions (docs/benchmarks.md), so
they are rendered once per process and kept, keyed by everything they depend on:

- the language and the script prefix (every `{% url %}` in them starts with it), asked once for
  each rendering of a template (see `place`);
- the settings and the declaration (the footer names the controller, the banner its cookies):
  any change of a setting forgets every copy, which is how tests put another declaration in
  force and how the settings of a running process never change otherwise;
- the template (a `{% shared %}` block keeps its copies on its own node, so an edited template,
  once the template loader reloads it in development, starts afresh; the banner's and the embed's
  copies are forgotten when a template file changes).

Nothing read from the database goes into a shared piece: a page's text, the visitor's consent
and whether GA4 may load are read for each request, and become part of a key or stay outside.
"""

from collections.abc import Callable, Hashable
from pathlib import Path

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# Bumped to forget every copy at once (a setting changed, a template file changed).
_generation = 0


def forget() -> None:
    """Forget every rendered piece of every page in this process."""
    global _generation
    _generation += 1


@receiver(setting_changed)
def _forget_on_setting_changed(**kwargs) -> None:
    forget()


@receiver(file_changed)
def _forget_on_template_changed(sender, file_path: Path, **kwargs) -> None:
    # The development server's reloader: a template edit shows on the next request. No answer,
    # so that the reloader still decides whether to restart.
    if Path(file_path).suffix == ".html":
        forget()


# The place of the rendering under way, kept in its render context: Template.render gives each
# template rendered on its own (a page, an {% include %}) a fresh one, and a page's parent
# templates share their child's.
_PLACE = "wekst.fragments.place"


def place(context: template.Context | None) -> tuple[str, str]:
    """The language and script prefix the pieces of a page are for, asked once per rendering.

    Each is a context-local variable, and reading one cost about 10,000 instructions: asked
    for every piece of the home page, more than a twentieth of the page (issue 23). Neither
    changes while a template renders: the script prefix is set per request, and the language
    changes only in a {% language %} block, which therefore holds no {% shared %} block, no
    {% block %} a child template could fill with one, and no tag given the context (the banner,
    the embed): wekst/tests/test_sec_05_shared_fragments.py checks the project's templates.
    """
    if context is None:
        return get_language(), get_script_prefix()
    found = context.render_context.get(_PLACE)
    if found is None:
        found = context.render_context[_PLACE] = (get_language(), get_script_prefix())
    return found


class Memo:
    """Rendered HTML by key, for this process, forgotten with every other piece (forget())."""

    def __init__(self) -> None:
        self._generation = _generation
        self._copies: dict[Hashable, SafeString] = {}

    def get(
        self, key: Hashable, render: Callable[[], str], context: template.Context | None = None
    ) -> SafeString:
        """The copy for `key` (the language and script prefix are added), rendered when new;
        `context` is the template context it is rendered in, if any (see `place`)."""
        if self._generation != _generation:
            self._copies, self._generation = {}, _generation
        full_key = (*place(context), key)
        copy = self._copies.get(full_key)
        if copy is None:
            copy = self._copies[full_key] = mark_safe(render())  # noqa: S308 - rendered by a template
        return copy


class SharedNode(template.Node):
    """`{% shared "what" name … %}…{% endshared %}`: the same for every visitor (see the module).

    The block sees only the context variables it names, so that nothing of the first visitor
    who has it rendered (the request, the user, their consent) can end up in everyone's copy.
    It holds no {% block %}: one copy serves every template that extends its own.
    """

    # Not searched for blocks when a page extends its template (ExtendsNode, for each render).
    child_nodelists = ()

    def __init__(self, nodelist: template.NodeList, names: list[str]) -> None:
        self.nodelist = nodelist
        self.names = names
        self.memo = Memo()

    def render(self, context: template.Context) -> str:
        def render() -> str:
            given = {name: context.get(name) for name in self.names}
            return self.nodelist.render(context.new(given))

        return self.memo.get(None, render, context)


def shared(parser: template.base.Parser, token: template.base.Token) -> SharedNode:
    """Parses `{% shared "what" name … %}`: "what" says, for the reader, what the block is; the
    names are the context variables the block may use."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError('{% shared %} needs to say what the block is: "what"')
    nodelist = parser.parse(("endshared",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError("{% shared %} cannot hold a {% block %}")
    return SharedNode(nodelist, bits[2:])
