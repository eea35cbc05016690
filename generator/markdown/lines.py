"""The line each link and image of a Markdown block starts on.

markdown-it gives blocks their lines but inline tokens none, and an error about a link
belongs on the link's own line, not on the first line of its paragraph. The link and
image rules are wrapped to note, on the token each makes, how many lines into its block
the link starts.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

_LINE_OFFSET = "fireside_line_offset"  # token meta key

InlineRule = Callable[[StateInline, bool], bool]


def noting_line(rule: InlineRule) -> InlineRule:
    """markdown-it's `link` or `image` rule, noting the line offset on the token it makes."""

    def noting(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            made = next((t for t in state.tokens[count:] if t.type in ("link_open", "image")), None)
            if made is not None:
                # The block's text as markdown-it holds it keeps every line break of the source.
                made.meta[_LINE_OFFSET] = state.src.count("\n", 0, start)
        return True

    return noting


def line_offset(token: Token) -> int:
    """Lines between the start of the token's block and the token (0 when not noted)."""
    return int(token.meta.get(_LINE_OFFSET, 0)) if token.meta else 0
