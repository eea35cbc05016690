"""A small HTML tree (standard library only), for converting post bodies written in HTML.

Browsers' rules are followed where posts need them: void elements, a `<p>` closed by the
next block, `<li>` by the next `<li>`, end tags without a start ignored. Serialising a
node gives HTML that reads back the same and holds no blank line (a blank line would end
an HTML block in Markdown): inside `<pre>` the extra newlines become `&#10;`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dialog",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "ul",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "iframe",
        "video",
        "audio",
        "script",
        "style",
        "noscript",
        "object",
        "canvas",
        "svg",
        "math",
        "colgroup",
    }
)
# Tags that start an HTML block in CommonMark (kinds 1 and 6): anything else is wrapped.
MARKDOWN_BLOCK_START = frozenset(
    {
        "pre",
        "script",
        "style",
        "textarea",
        "address",
        "article",
        "aside",
        "base",
        "basefont",
        "blockquote",
        "body",
        "caption",
        "center",
        "col",
        "colgroup",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frame",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "iframe",
        "legend",
        "li",
        "link",
        "main",
        "menu",
        "menuitem",
        "nav",
        "noframes",
        "ol",
        "optgroup",
        "option",
        "p",
        "param",
        "search",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "track",
        "ul",
    }
)
_CLOSES_P = BLOCK - {
    "iframe",
    "video",
    "audio",
    "script",
    "style",
    "noscript",
    "object",
    "canvas",
    "svg",
    "math",
}
_IMPLIED_END = {
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "option": {"option"},
    "thead": {"tbody", "tfoot"},
    "tbody": {"tbody", "tfoot"},
}
_SCOPES = {
    "li": {"ul", "ol"},
    "dt": {"dl"},
    "dd": {"dl"},
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr", "table"},
    "th": {"tr", "table"},
}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)

    def text(self) -> str:
        return "".join(
            c if isinstance(c, str) else ("" if isinstance(c, Comment) else c.text()) for c in self.children
        )

    def elements(self) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element)]

    def find_all(self, tag: str) -> list[Element]:
        found = []
        for child in self.elements():
            if child.tag == tag:
                found.append(child)
            found.extend(child.find_all(tag))
        return found


@dataclass
class Comment:
    text: str


Node = Element | Comment | str


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CLOSES_P:
            self._close_if_open(
                "p", stop={"blockquote", "li", "td", "th", "div", "figure", "section", "article"}
            )
        implied = _IMPLIED_END.get(tag)
        if implied:
            for index in range(len(self.stack) - 1, 0, -1):
                open_tag = self.stack[index].tag
                if open_tag in implied:
                    del self.stack[index:]
                    break
                if open_tag in _SCOPES.get(tag, set()):
                    break
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return
        # An end tag nothing opened: ignored, as browsers do (except </p>, which makes one).
        if tag == "p":
            self.stack[-1].children.append(Element("p"))

    def _close_if_open(self, tag: str, stop: set[str]) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            current = self.stack[index].tag
            if current == tag:
                del self.stack[index:]
                return
            if current in stop:
                return

    def handle_data(self, data: str) -> None:
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)

    def handle_comment(self, data: str) -> None:
        self.stack[-1].children.append(Comment(data))


def parse(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def attributes(attrs: dict[str, str | None]) -> str:
    parts = []
    for name, value in attrs.items():
        parts.append(f" {name}" if value is None else f' {name}="{html.escape(value, quote=True)}"')
    return "".join(parts)


def serialize(node: Node, *, in_pre: bool = False) -> str:
    """HTML for `node`, with no blank line in it."""
    if isinstance(node, Comment):
        return f"<!--{node.text}-->"
    if isinstance(node, str):
        text = html.escape(node, quote=False)
        if in_pre:
            return re.sub(
                r"\n(\n+)", lambda m: "\n" + "&#10;" * len(m.group(1)), re.sub(r"\n[ \t]+(?=\n)", "\n", text)
            )
        return re.sub(r"\n\s*\n", "\n", text)
    if node.tag == "#root":
        return "".join(serialize(child) for child in node.children)
    if node.tag == PARAGRAPH_BREAK:
        return "<br><br>"
    opening = f"<{node.tag}{attributes(node.attrs)}>"
    if node.tag in VOID:
        return opening
    raw = node.tag in ("script", "style")
    pre = in_pre or node.tag in ("pre", "textarea")
    inner = "".join(
        (child if raw and isinstance(child, str) else serialize(child, in_pre=pre)) for child in node.children
    )
    if raw:
        inner = re.sub(r"\n\s*\n", "\n", inner)
    if pre and node.tag == "pre" and inner.startswith("\n"):
        inner = "\n" + inner  # the first newline after <pre> is dropped by parsers: keep the author's
    return f"{opening}{inner}</{node.tag}>"


def html_block(node: Node) -> str:
    """`node` as an HTML block Markdown passes through untouched."""
    text = serialize(node)
    if isinstance(node, Element) and node.tag not in MARKDOWN_BLOCK_START:
        text = f"<div>{text}</div>"
    if isinstance(node, str):
        text = f"<p>{text.strip()}</p>"
    return text


PARAGRAPH_BREAK = "#paragraph"  # an element autop puts where a blank line separated paragraphs
_VERBATIM = frozenset({"pre", "script", "style", "textarea", "code", "svg", "math"})


def autop(element: Element) -> None:
    """WordPress's wpautop on a tree: a blank line in text parts paragraphs, a single line
    break is a `<br>`, except beside blocks and inside `<pre>`, `<code>`, scripts and styles."""
    if element.tag in _VERBATIM:
        return
    new: list[Node] = []
    children = element.children
    for index, child in enumerate(children):
        if isinstance(child, Element):
            autop(child)
            new.append(child)
            continue
        if not isinstance(child, str) or "\n" not in child:
            new.append(child)
            continue
        before = children[index - 1] if index else None
        after = children[index + 1] if index + 1 < len(children) else None
        text = child
        if not _inline_neighbour(before):
            text = text.lstrip("\n \t")
        if not _inline_neighbour(after):
            text = text.rstrip("\n \t")
        for number, paragraph in enumerate(re.split(r"\n[ \t]*\n\s*", text)):
            if number:
                new.append(Element(PARAGRAPH_BREAK))
            for line_number, line in enumerate(paragraph.split("\n")):
                if line_number:
                    new.append(Element("br"))
                if line:
                    new.append(line)
    element.children = new


def _inline_neighbour(node: Node | None) -> bool:
    if node is None:
        return False
    if isinstance(node, Element):
        return node.tag not in BLOCK and node.tag not in ("br", PARAGRAPH_BREAK)
    return isinstance(node, str)
