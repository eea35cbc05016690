"""Attribute lists as other tools write them: `## Title {#id .class}` and kramdown's `{: ...}`.

Hugo, Zola, Pandoc and Python-Markdown read `{#id .class key=value}` at the end of a
heading; kramdown (Jekyll's Markdown) reads `{: #id .class}` on the line after a block and
`{:target="_blank"}` right after a link, image or emphasis. All of them become attributes
here, so imported posts keep their anchors and classes instead of showing the braces.
kramdown's `* TOC` list followed by `{:toc}` asks for a table of contents: the theme shows
its own, so the marker list is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# `{#id .class key="value"}`; kramdown's begins with a colon. Only ids, classes and
# key=value pairs: a brace in prose ("{like this}") is left as it is.
_VALUE = r"""(?:"[^"]*"|'[^']*'|[^\s}]*)"""
_ATTRS = r"\{:?[ \t]*(?:(?:[#.][\w:-]+|[A-Za-z_][\w:.-]*=" + _VALUE + r")[ \t]*)+\}"
_TRAILING = re.compile(r"[ \t]*(" + _ATTRS + r")[ \t]*$")
_LEADING = re.compile(r"^(" + _ATTRS + r")")
_LINE = re.compile(r"^[ \t]*(" + _ATTRS + r"|\{:[ \t]*[\w-]*[ \t]*\})[ \t]*$")
_PART = re.compile(r"""([#.])([\w:-]+)|([A-Za-z_][\w:.-]*)=(?:"([^"]*)"|'([^']*)'|([^\s}]*))""")
_TOC_MARKER = re.compile(r"^\{:[ \t]*(toc|\.no_toc)[ \t]*\}$")
# What an inline attribute list may follow: the token whose attributes it sets.
_CLOSERS = {
    "link_close": "link_open",
    "em_close": "em_open",
    "strong_close": "strong_open",
    "s_close": "s_open",
}


def attributes_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "fireside_attributes", _attributes_rule)


def parse_attributes(text: str) -> list[tuple[str, str]]:
    """`{: #id .a .b key="v"}` → [("id", "id"), ("class", "a"), ("class", "b"), ("key", "v")]."""
    found = []
    for match in _PART.finditer(text.strip().removeprefix("{").removeprefix(":").removesuffix("}")):
        if match.group(1) == "#":
            found.append(("id", match.group(2)))
        elif match.group(1) == ".":
            found.append(("class", match.group(2)))
        else:
            value = next((v for v in match.group(4, 5, 6) if v is not None), "")
            found.append((match.group(3), value))
    return found


def _apply(token: Token, text: str) -> None:
    for name, value in parse_attributes(text):
        if name == "class":
            classes = str(token.attrGet("class") or "").split()
            token.attrSet("class", " ".join([*classes, value]) if value not in classes else " ".join(classes))
        elif not name.lower().startswith("on"):  # no script handlers from an attribute list
            token.attrSet(name, value)


def _attributes_rule(state: StateCore) -> None:
    tokens = state.tokens
    drop: set[int] = set()
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        opener = tokens[index - 1] if index else None
        if opener is not None and opener.type == "heading_open":
            _heading(opener, token)
        elif opener is not None and opener.type == "paragraph_open":
            if _whole_paragraph(tokens, index, drop):
                continue
            if _paragraph_tail(opener, token):
                _drop_toc_list(tokens, index, drop)
        _inline(token.children)
    if drop:
        state.tokens = [token for i, token in enumerate(tokens) if i not in drop]


def _heading(opener: Token, inline: Token) -> None:
    last = inline.children[-1] if inline.children else None
    if last is None or last.type != "text":
        return
    match = _TRAILING.search(last.content)
    if match is None:
        return
    _apply(opener, match.group(1))
    last.content = last.content[: match.start()]
    inline.content = _TRAILING.sub("", inline.content)


def _whole_paragraph(tokens: list[Token], index: int, drop: set[int]) -> bool:
    """A paragraph that is only an attribute list sets the block before it, and goes."""
    inline = tokens[index]
    text = inline.content.strip()
    if _LINE.match(text) is None:
        return False
    if _TOC_MARKER.match(text):
        _drop_toc_list(tokens, index, drop)
    else:
        target = _block_before(tokens, index - 1)
        if target is not None:
            _apply(target, text)
    drop.update((index - 1, index, index + 1))  # paragraph_open, inline, paragraph_close
    return True


def _paragraph_tail(opener: Token, inline: Token) -> bool:
    """`{: .class}` on the paragraph's own last line (kramdown's usual place) sets the paragraph.

    True when that line was kramdown's `{:toc}` (the paragraph is the `* TOC` list's).
    """
    children = inline.children or []
    if len(children) < 2 or children[-1].type != "text" or children[-2].type != "softbreak":
        return False
    text = children[-1].content.strip()
    if _LINE.match(text) is None:
        return False
    del children[-2:]
    inline.content = inline.content.rsplit("\n", 1)[0]
    if _TOC_MARKER.match(text) is not None:
        return True
    _apply(opener, text)
    return False


def _block_before(tokens: Sequence[Token], end: int) -> Token | None:
    """The opening token of the block that ends just before `end` (at the same nesting)."""
    level = tokens[end].level
    depth = 0
    for position in range(end - 1, -1, -1):
        token = tokens[position]
        if token.level < level:
            return None
        if token.nesting == -1:
            depth += 1
        elif token.nesting == 1:
            depth -= 1
            if depth == 0:
                return token
        elif depth == 0 and token.level == level:
            return token  # a fence or code block: one token
    return None


def _drop_toc_list(tokens: list[Token], index: int, drop: set[int]) -> None:
    """`* TOC` then `{:toc}`: the top-level list holding the marker, or just before it, goes."""
    for position in range(index - 1, -1, -1):
        token = tokens[position]
        if token.type in ("bullet_list_open", "ordered_list_open") and token.level == 0:
            closer = token.type.replace("_open", "_close")
            end = next(i for i, t in enumerate(tokens) if i >= position and t.type == closer and not t.level)
            if end >= index - 2:  # the marker is in it, or right after it
                drop.update(range(position, end + 1))
            return


def _inline(children: list[Token]) -> None:
    """`[a](b){:target="_blank"}`, `![x](y){: width="50%"}`, `*em*{: .x}`: set the element before."""
    for position in range(1, len(children)):
        child = children[position]
        if child.type != "text" or not child.content.startswith("{"):
            continue
        match = _LEADING.match(child.content)
        if match is None:
            continue
        before = children[position - 1]
        target = None
        if before.type in ("image", "code_inline"):
            target = before
        elif before.type in _CLOSERS:
            wanted, depth = _CLOSERS[before.type], 0
            for back in range(position - 2, -1, -1):
                if children[back].type == before.type:
                    depth += 1
                elif children[back].type == wanted:
                    if depth == 0:
                        target = children[back]
                        break
                    depth -= 1
        if target is None:
            continue
        _apply(target, match.group(1))
        child.content = child.content[match.end() :]
