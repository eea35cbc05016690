"""Markdown to HTML: one markdown-it instance, configured once, reused for every document.

`MarkdownRenderer.render` parses a document once and derives everything the build needs
from that single token stream: the body HTML, the table of contents, the summary for
list pages and feeds, the meta description, the word count and the first heading.

Links and images are handed to a `LinkContext`, implemented by the build, which knows
where posts live; this module only finds the URLs. The renderer holds no per-document
state: the `env` dict of each call carries it, so one instance can serve a whole build.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from generator.markdown.attributes import attributes_plugin
from generator.markdown.headings import STYLES, nest_headings
from generator.markdown.images import image_size
from generator.markdown.leftovers import find_leftovers
from generator.markdown.lines import line_offset, noting_line
from generator.site.model import TocEntry

# Allows `<!--more-->`, `<!-- more -->`, `<!--  MORE -->`, and other generators' summary
# ends: `<!--excerpt-->` (a common Jekyll excerpt_separator), Pelican's `PELICAN_END_SUMMARY`.
_MORE = re.compile(r"\s*<!--\s*(?:more|excerpt|PELICAN_END_SUMMARY)\s*-->[ \t]*\n?", re.IGNORECASE)
# "http:", "mailto:", "data:", ... : absolute URLs are written as they are.
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
# Escaped text never contains a literal `"`, so this only matches attributes in tags.
_ID_ATTRIBUTE = re.compile(r'\sid="[^"]*"')
_SPACES = re.compile(r"\s+")
# env key telling the renderer rules that they are rendering a summary for a list page.
_SUMMARY = "fireside_summary"
# env keys of the code blocks highlighted by this render, and of those an earlier render of
# the same document highlighted (see CodeBlock).
_BLOCKS = "fireside_code_blocks"
_EARLIER = "fireside_earlier_blocks"
DESCRIPTION_LIMIT = 200


class LinkContext(Protocol):
    """What the build provides so that links and images point at the right place."""

    def resolve(self, url: str, line: int | None) -> str:
        """The URL to write for a relative or root-relative `url` found on `line`.

        Called for every link href and image src except fragments ("#x"), protocol-relative
        ("//host") and absolute URLs with a scheme. `url` is as markdown-it normalised it
        (percent-encoded), query and fragment included. `line` is 1-based within the
        markdown text given to `render()`, the line the link starts on (None when unknown,
        e.g. inside an inline footnote).
        """
        ...

    def image_file(self, url: str) -> Path | None:
        """The local file an image's original src points at, if any (for its size)."""
        ...


class CodeBlock(NamedTuple):
    """Where a highlighted code block is in a render's HTML, and what it was made from.

    The next render of the document, after an edit to its prose, takes the blocks whose
    code and language are unchanged from the earlier HTML instead of running Pygments again
    (whose lexers take 10-25 ms to set up the first time in a process).
    """

    key: str  # digest of the language and the code
    start: int
    end: int


@dataclass(frozen=True)
class RenderedMarkdown:
    """Everything derived from one markdown document."""

    html: str
    toc: tuple[TocEntry, ...]  # headings h1-h6 outside blockquotes/lists, nested by level
    summary_html: str  # without ids, heading anchors or footnote references
    has_more_marker: bool
    word_count: int  # visible text, code blocks excluded
    description: str  # plain text, at most DESCRIPTION_LIMIT characters
    first_heading: str | None  # plain text of the first level-1 heading
    code_blocks: tuple[CodeBlock, ...] = ()  # highlighted blocks in `html`, in order
    leftovers: tuple[tuple[int, str, str], ...] = ()  # other generators' syntax: (line, text, what)

    def highlighted_blocks(self) -> dict[str, str]:
        """Each highlighted block's HTML by its key, for a later render to reuse."""
        return {block.key: self.html[block.start : block.end] for block in self.code_blocks}


def _is_local(url: str) -> bool:
    """True for URLs the LinkContext resolves: relative and root-relative ones."""
    return bool(url) and not url.startswith(("#", "//")) and _SCHEME.match(url) is None


def plain_text(children: Sequence[Token] | None, *, image_alt: bool = False) -> str:
    """The visible text of an inline token's children (no markup, footnote refs or images;
    with `image_alt`, an image's alternative text stands for it)."""
    parts: list[str] = []
    for child in children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image" and image_alt:
            parts.append(plain_text(child.children))
        elif child.type in ("softbreak", "hardbreak", "image"):
            parts.append(" ")  # a word boundary, as the browser shows it
    return "".join(parts)


def _describe(text: str) -> str:
    """Collapse whitespace and cut to DESCRIPTION_LIMIT characters on a word boundary."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= DESCRIPTION_LIMIT:
        return text
    cut = text[: DESCRIPTION_LIMIT - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–—-") + "…"


# Renderer rules. markdown-it binds them to the renderer, hence `self`; `env` is the
# per-call dict, so flags such as _SUMMARY never leak from one document to another.


def _render_fence(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # A rule rather than the `highlight` option: markdown-it would wrap any highlighter
    # output that does not start with "<pre" in a second <pre><code>.
    token = tokens[idx]
    info = unescapeAll(token.info).strip()
    lang = info.split(maxsplit=1)[0] if info else None
    return _highlighted(token.content, lang, env) + "\n"


def _render_code_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return _highlighted(tokens[idx].content, None, env) + "\n"


def _highlighted(code: str, lang: str | None, env: EnvType) -> str:
    """The block's HTML: an earlier render's when made from the same code, else Pygments'."""
    made_from = f"{lang or ''}\0{code}".encode("utf-8", "surrogatepass")
    key = hashlib.blake2b(made_from, digest_size=16).hexdigest()
    html = env.get(_EARLIER, {}).get(key)
    if html is None:
        # Imported here: a rebuild that renders no new code never loads Pygments.
        from generator.markdown.highlight import highlight_code

        html = highlight_code(code, lang)
    if not env.get(_SUMMARY):
        env.setdefault(_BLOCKS, []).append((key, html))
    return html


def _render_heading_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    anchor = "" if env.get(_SUMMARY) else token.meta.get("anchor", "")
    return f"{anchor}</{token.tag}>\n"


def _anchor_html(heading_id: str, title: str) -> str:
    # The visible "#" is hidden from screen readers: the aria-label names the link.
    label = f"Link to section: {title}" if title else "Link to this section"
    return (
        f' <a class="heading-anchor" href="#{escapeHtml(heading_id)}"'
        f' aria-label="{escapeHtml(label)}">'
        '<span aria-hidden="true">#</span></a>'
    )


class MarkdownRenderer:
    """CommonMark plus tables, strikethrough, footnotes, task lists, definition lists and
    smart typography, with heading ids, highlighted code and resolved links."""

    def __init__(self, *, typographer: bool = True, heading_ids: str = "fireside") -> None:
        # Raw HTML is allowed: the author is trusted, and reader text never comes here.
        md = MarkdownIt("commonmark", {"html": True, "typographer": typographer})
        md.enable(["table", "strikethrough"])
        if typographer:
            md.enable(["replacements", "smartquotes"])
        md.use(footnote_plugin)
        md.use(deflist_plugin)
        # label=True wraps each checkbox and its text in a <label>, giving the (disabled)
        # checkbox an accessible name without the plugin's random uuid ids.
        md.use(tasklists_plugin, enabled=False, label=True)
        md.use(attributes_plugin)  # `## Title {#id}`, kramdown's `{: .class}`
        self.heading_ids = heading_ids
        self._heading_id = STYLES[heading_ids]
        md.add_render_rule("fence", _render_fence)
        md.add_render_rule("code_block", _render_code_block)
        md.add_render_rule("heading_close", _render_heading_close)

        footnote_ref = md.renderer.rules["footnote_ref"]

        def render_footnote_ref(
            self: RendererHTML,
            tokens: Sequence[Token],
            idx: int,
            options: OptionsDict,
            env: EnvType,
        ) -> str:
            # A summary is shown on list pages without the footnotes it would point to.
            return "" if env.get(_SUMMARY) else str(footnote_ref(tokens, idx, options, env))

        md.add_render_rule("footnote_ref", render_footnote_ref)

        footnote_anchor = md.renderer.rules["footnote_anchor"]

        def render_footnote_anchor(
            self: RendererHTML,
            tokens: Sequence[Token],
            idx: int,
            options: OptionsDict,
            env: EnvType,
        ) -> str:
            # The back-link is only an arrow; screen readers need words for it.
            number = tokens[idx].meta["id"] + 1
            label = f' aria-label="Back to reference {number}"'
            return str(footnote_anchor(tokens, idx, options, env)).replace(
                'class="footnote-backref"', f'class="footnote-backref"{label}', 1
            )

        md.add_render_rule("footnote_anchor", render_footnote_anchor)
        inline_rules = md.inline.ruler
        for rule in ("link", "image"):
            inline_rules.at(rule, noting_line(inline_rules.__rules__[inline_rules.__find__(rule)].fn))
        self._md = md

    def render(
        self, text: str, links: LinkContext, earlier_blocks: Mapping[str, str] | None = None
    ) -> RenderedMarkdown:
        """Render a document's markdown body (front matter already removed).

        `earlier_blocks` (RenderedMarkdown.highlighted_blocks of an earlier render) are
        reused for code blocks made from the same code in the same language.
        """
        env: dict[str, Any] = {_EARLIER: earlier_blocks} if earlier_blocks else {}
        tokens = self._md.parse(text, env)
        tokens, more_at = _take_more_markers(tokens)

        # Footnote ids are fn1.., fnref1..; reserving them keeps a heading called "fn1"
        # from taking an id a footnote link points at.
        footnote_count = len(env.get("footnotes", {}).get("list", {}))
        taken = {f"{prefix}{n}" for n in range(1, footnote_count + 1) for prefix in ("fn", "fnref")}

        headings: list[tuple[int, str, str]] = []
        first_heading: str | None = None
        words = 0
        for index, token in enumerate(tokens):
            if token.type != "inline":
                continue
            self._resolve_urls(token.children, links, token.map[0] + 1 if token.map else None)
            visible = plain_text(token.children)
            words += len(visible.split())
            opener = tokens[index - 1] if index else None
            if opener is None or opener.type != "heading_open":
                continue
            title = _SPACES.sub(" ", visible).strip()
            written = opener.attrGet("id")  # an id the Markdown gives is kept
            heading_id = str(written) if written else self._heading_id(visible.strip(), taken)
            taken.add(heading_id)
            opener.attrSet("id", heading_id)
            tokens[index + 1].meta["anchor"] = _anchor_html(heading_id, title)
            if opener.level == 0:
                level = int(opener.tag[1])
                headings.append((level, heading_id, title))
                if level == 1 and first_heading is None:
                    first_heading = title

        html = self._md.renderer.render(tokens, self._md.options, env)
        code_blocks = _locate(html, env.get(_BLOCKS, ()))
        summary_tokens = _summary_tokens(tokens, more_at)
        summary_env = {**env, _SUMMARY: True}
        summary_html = self._md.renderer.render(summary_tokens, self._md.options, summary_env)
        description = " ".join(plain_text(t.children) for t in summary_tokens if t.type == "inline")
        return RenderedMarkdown(
            html=html,
            toc=nest_headings(headings),
            summary_html=_ID_ATTRIBUTE.sub("", summary_html),
            has_more_marker=more_at is not None,
            word_count=words,
            description=_describe(description),
            first_heading=first_heading,
            code_blocks=code_blocks,
            leftovers=tuple(find_leftovers(tokens)),
        )

    def render_inline(self, text: str, links: LinkContext) -> str:
        """Render one line of inline markdown (a front-matter summary): no <p>, no ids."""
        env: dict[str, Any] = {_SUMMARY: True}
        tokens = self._md.parseInline(text, env)
        if not tokens or tokens[0].children is None:
            return ""
        # Only the inline token: an inline footnote would append a footnote block.
        children = tokens[0].children
        self._resolve_urls(children, links, None)
        return _ID_ATTRIBUTE.sub("", self._md.renderer.renderInline(children, self._md.options, env))

    def inline_text(self, text: str) -> str:
        """One line of inline Markdown (a front-matter summary) as the plain text a reader
        sees, for meta descriptions and feed summaries: no asterisks, no link targets."""
        tokens = self._md.parseInline(text, {_SUMMARY: True})
        if not tokens or tokens[0].children is None:
            return ""
        return _describe(plain_text(tokens[0].children, image_alt=True))

    @staticmethod
    def _resolve_urls(children: list[Token] | None, links: LinkContext, first_line: int | None) -> None:
        """Rewrite link hrefs and image srcs in place; give images size and lazy loading.

        `first_line` is the block's; each link is asked on its own line (see lines.py).
        """
        for child in children or ():
            line = None if first_line is None else first_line + line_offset(child)
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if _is_local(href):
                    child.attrSet("href", links.resolve(href, line))
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                if _is_local(src):
                    child.attrSet("src", links.resolve(src, line))
                    local = links.image_file(src)
                    size = image_size(local) if local is not None else None
                    if size is not None:
                        child.attrSet("width", str(size[0]))
                        child.attrSet("height", str(size[1]))
                child.attrSet("loading", "lazy")
                child.attrSet("decoding", "async")


def _locate(html: str, blocks: Sequence[tuple[str, str]]) -> tuple[CodeBlock, ...]:
    """Where each highlighted block (in the order rendered) is in the document's HTML."""
    located: list[CodeBlock] = []
    position = 0
    for key, block_html in blocks:
        start = html.find(block_html, position)
        if start < 0:  # not as rendered (cannot happen: the renderer only joins): not reused
            continue
        position = start + len(block_html)
        located.append(CodeBlock(key, start, position))
    return tuple(located)


def _take_more_markers(tokens: list[Token]) -> tuple[list[Token], int | None]:
    """Remove `<!-- more -->` blocks; return the tokens and where the first top-level was.

    An HTML comment block ends on the line holding "-->", so the marker is normally a
    whole html_block token; anything after it on the same line is kept.
    """
    kept: list[Token] = []
    more_at: int | None = None
    for token in tokens:
        match = _MORE.match(token.content) if token.type == "html_block" else None
        if match is None:
            kept.append(token)
            continue
        if more_at is None and token.level == 0:
            more_at = len(kept)
        rest = token.content[match.end() :]
        if rest.strip():
            token.content = rest
            kept.append(token)
    return kept, more_at


def _summary_tokens(tokens: list[Token], more_at: int | None) -> list[Token]:
    """Tokens before the more marker, else the first top-level paragraph.

    Leading headings are skipped in both cases: list pages show the title themselves.
    """
    start = 0
    while start < len(tokens) and tokens[start].type == "heading_open":
        start += 3  # heading_open, inline, heading_close
    if more_at is not None and more_at > start:
        return tokens[start:more_at]
    for index in range(start, len(tokens)):
        token = tokens[index]
        if token.type == "footnote_block_open":
            break  # footnote paragraphs are not the document's first paragraph
        if token.type == "paragraph_open" and token.level == 0:
            return tokens[index : index + 3]  # paragraph_open, inline, paragraph_close
    return []
