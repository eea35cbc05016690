"""HTML post bodies as Markdown the author can go on editing; what has no Markdown form
stays HTML.

Each top-level block is converted on its own: paragraphs, headings, lists, quotes, code,
rules, images and links become Markdown; a block that carries meaning Markdown cannot hold
(a `style`, a table with merged cells, an embed, a `<figure>`) is kept as HTML, written
so that Markdown passes it through unchanged. Inline elements without a Markdown form
(`<sup>`, `<abbr>`, a `<span>` with a style) stay inline HTML inside the Markdown.
"""

from __future__ import annotations

import re

from generator.migrate.htmldom import (
    BLOCK,
    PARAGRAPH_BREAK,
    Comment,
    Element,
    Node,
    attributes,
    autop,
    html_block,
    parse,
)

_TRANSPARENT = frozenset(
    {"div", "section", "article", "main", "header", "footer", "span", "font", "body", "html"}
)
_SIGNIFICANT = frozenset({"style", "dir", "lang", "align"})  # attributes whose meaning Markdown would lose
_INLINE_HTML = frozenset(
    {
        "sup",
        "sub",
        "abbr",
        "mark",
        "u",
        "small",
        "big",
        "q",
        "cite",
        "kbd",
        "var",
        "samp",
        "ins",
        "dfn",
        "time",
        "bdi",
        "bdo",
        "ruby",
        "rt",
        "rp",
        "label",
        "acronym",
    }
)
_ESCAPE = re.compile(r"([\\`*_\[\]<>])")
_LINE_START = re.compile(
    r"^(\s*)(#{1,6}(?=\s|$)|>|[-+*](?=\s)|=+\s*$|-+\s*$|\d{1,9}(?=[.)](?:\s|$)))", re.MULTILINE
)
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LANG_CLASS = re.compile(r"(?:^|\s)(?:language|lang|brush|highlight-source)[-:]\s*([\w+#-]+)", re.IGNORECASE)
_MORE = re.compile(r"^\s*more\s*$", re.IGNORECASE)


def to_markdown(source: str, *, keep_html: bool = False, paragraphs: bool = False) -> str:
    """Markdown for an HTML fragment. With `paragraphs`, its line breaks mean what they mean
    to WordPress (a blank line parts paragraphs, a single one is a `<br>`)."""
    root = parse(source)
    if paragraphs:
        autop(root)
    blocks = _flow(root.children, keep_html=keep_html)
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"


def _significant(element: Element) -> bool:
    # data-* attributes are left out: they only fed the old site's scripts.
    return any(name in _SIGNIFICANT for name in element.attrs) or any(
        name.startswith(("on", "aria-")) for name in element.attrs
    )


def _flow(nodes: list[Node], *, keep_html: bool = False) -> list[str]:
    """Blocks for a run of nodes: inline runs become paragraphs, blocks convert alone."""
    blocks: list[str] = []
    run: list[Node] = []

    def flush() -> None:
        if run:
            text = _inline(run).strip()
            if text:
                blocks.append(_escape_line_starts(text))
            run.clear()

    for node in nodes:
        if isinstance(node, Comment):
            flush()
            blocks.append("<!-- more -->" if _MORE.match(node.text) else f"<!--{node.text}-->")
        elif isinstance(node, Element) and node.tag == PARAGRAPH_BREAK:
            flush()
        elif isinstance(node, Element) and (node.tag in BLOCK or (node.tag == "br" and not run)):
            flush()
            if node.tag == "br":
                continue
            blocks.extend([html_block(node)] if keep_html else _block(node))
        else:
            run.append(node)
    flush()
    return blocks


def _block(element: Element) -> list[str]:
    tag = element.tag
    if _significant(element) and tag not in ("pre",):
        return [html_block(element)]
    if tag in _TRANSPARENT:
        return _flow(element.children)
    if tag == "p":
        text = _inline(element.children).strip()
        return [_escape_line_starts(text)] if text else []
    if re.fullmatch(r"h[1-6]", tag):
        text = " ".join(_inline(element.children).replace("\\\n", " ").split())
        anchor = element.attrs.get("id")
        suffix = f" {{#{anchor}}}" if anchor and re.fullmatch(r"[\w-]+", anchor) else ""
        return [f"{'#' * int(tag[1])} {text}{suffix}"] if text else []
    if tag in ("ul", "ol"):
        return [_list(element)]
    if tag == "blockquote":
        inner = "\n\n".join(_flow(element.children))
        return ["\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))]
    if tag == "pre":
        return [_pre(element)]
    if tag == "hr":
        return ["* * *"]
    if tag == "table":
        table = _table(element)
        return [table] if table else [html_block(element)]
    return [html_block(element)]


def _list(element: Element) -> str:
    ordered = element.tag == "ol"
    start = element.attrs.get("start") or "1"
    number = int(start) if start.isdigit() else 1
    items = []
    for child in element.children:
        if isinstance(child, str):
            if child.strip():
                items.append(("", [_inline([child]).strip()]))
            continue
        if not isinstance(child, Element) or child.tag != "li":
            if isinstance(child, Element):
                items.append(("", [html_block(child)]))
            continue
        items.append(("li", _flow(child.children)))
    lines = []
    loose = any(len(blocks) > 1 for _, blocks in items)
    for _, blocks in items:
        marker = f"{number}. " if ordered else "- "
        number += 1
        body = ("\n\n" if loose else "\n").join(blocks) or ""
        indent = " " * len(marker)
        text = "\n".join((indent + line if line and i else line) for i, line in enumerate(body.split("\n")))
        lines.append(marker + text)
    return ("\n\n" if loose else "\n").join(lines)


def _pre(element: Element) -> str:
    plain = all(
        isinstance(c, str)
        or (
            isinstance(c, Element)
            and c.tag in ("code", "span", "br", "b", "strong", "i", "em")
            and not _significant(c)
        )
        for c in _descendants(element)
    )
    if not plain:
        return html_block(element)
    code_child = next((c for c in element.elements() if c.tag == "code"), None)
    classes = " ".join(
        filter(None, [element.attrs.get("class"), code_child.attrs.get("class") if code_child else None])
    )
    found = _LANG_CLASS.search(classes or "")
    lang = found.group(1).lower() if found else (element.attrs.get("data-lang") or "")
    text = _pre_text(element).strip("\n")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}{lang}\n{text}\n{marks}"


def _descendants(element: Element) -> list[Node]:
    found: list[Node] = []
    for child in element.children:
        found.append(child)
        if isinstance(child, Element):
            found.extend(_descendants(child))
    return found


def _pre_text(element: Element) -> str:
    parts = []
    for child in element.children:
        if isinstance(child, str):
            parts.append(child)
        elif isinstance(child, Element):
            parts.append("\n" if child.tag == "br" else _pre_text(child))
    return "".join(parts)


def _table(element: Element) -> str | None:
    rows = element.find_all("tr")
    if not rows or any(
        e.tag in ("table", "ul", "ol", "p", "div", "pre", "blockquote") for r in rows for e in _all(r)
    ):
        return None
    cells = [[c for c in row.elements() if c.tag in ("td", "th")] for row in rows]
    if any(c.attrs.get("colspan") or c.attrs.get("rowspan") for row in cells for c in row):
        return None
    width = max(len(row) for row in cells)
    if width == 0:
        return None
    text_rows = [
        [_inline(c.children).replace("\\\n", " ").replace("|", "\\|").strip() for c in row] for row in cells
    ]
    text_rows = [row + [""] * (width - len(row)) for row in text_rows]
    header = text_rows[0]
    body = text_rows[1:]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * width) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def _all(element: Element) -> list[Element]:
    return [n for n in _descendants(element) if isinstance(n, Element)]


def _inline(nodes: list[Node]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(escape_text(node))
        elif isinstance(node, Comment):
            out.append(f"<!--{node.text}-->")
        else:
            out.append(_inline_element(node))
    text = "".join(out)
    return re.sub(r"[ \t]*\\\n[ \t]*", "\\\n", text)


def _inline_element(element: Element) -> str:
    tag = element.tag
    inner = _inline(element.children)
    if _significant(element):
        return _inline_html(element, inner)
    if tag in ("em", "i", "strong", "b", "del", "s", "strike"):
        mark = {"em": "*", "i": "*", "strong": "**", "b": "**"}.get(tag, "~~")
        return _wrap_marks(inner, mark)
    if tag in ("br", PARAGRAPH_BREAK):
        return "\\\n"
    if tag == "a":
        href = element.attrs.get("href")
        if not href:
            return _inline_html(element, inner)
        title = element.attrs.get("title")
        label = inner.strip() or escape_text(href)
        return f"[{label}]({_destination(href)}{_title(title)})"
    if tag == "img":
        src = element.attrs.get("src")
        if not src:
            return ""
        alt = escape_text(" ".join((element.attrs.get("alt") or "").split()))
        return f"![{alt}]({_destination(src)}{_title(element.attrs.get('title'))})"
    if tag in ("code", "tt"):
        if element.elements():
            return _inline_html(element, inner)
        return code_span(element.text())
    if tag in _TRANSPARENT:
        return inner
    if tag in _INLINE_HTML:
        return _inline_html(element, inner)
    return _inline_html(element, inner)


def _inline_html(element: Element, inner: str) -> str:
    from generator.migrate.htmldom import VOID, serialize

    if element.tag in VOID:
        return f"<{element.tag}{attributes(element.attrs)}>"
    if element.tag in ("iframe", "video", "audio", "script", "object", "svg", "math", "canvas", "noscript"):
        return serialize(element)
    return f"<{element.tag}{attributes(element.attrs)}>{inner}</{element.tag}>"


def _wrap_marks(inner: str, mark: str) -> str:
    stripped = inner.strip()
    if not stripped:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _destination(url: str) -> str:
    url = url.strip()
    if not url or re.search(r"[\s<>()]", url):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def _title(title: str | None) -> str:
    if not title:
        return ""
    return ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'


def code_span(text: str) -> str:
    text = " ".join(text.split("\n"))
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = (
        " "
        if text.startswith("`")
        or text.endswith("`")
        or (text.startswith(" ") and text.endswith(" ") and text.strip())
        else ""
    )
    return f"{ticks}{pad}{text}{pad}{ticks}"


def escape_text(text: str) -> str:
    """Text as Markdown that shows exactly that text (whitespace collapsed, as HTML does)."""
    text = re.sub(r"\s+", " ", text)
    text = _ENTITY_LIKE.sub("&amp;", text)
    text = _ESCAPE.sub(r"\\\1", text)
    return text.replace("~~", "\\~\\~")


def _escape_line_starts(text: str) -> str:
    """A paragraph whose lines could read as other blocks (`# x`, `1. x`, `- x`) escaped."""

    def escape(match: re.Match[str]) -> str:
        lead, marker = match.group(1), match.group(2)
        if marker[0].isdigit():
            return f"{lead}{marker}\\"
        return f"{lead}\\{marker}"

    lines = [line.lstrip() for line in text.split("\n")]
    return _LINE_START.sub(escape, "\n".join(lines))


def to_text(source: str) -> str:
    """Plain text for reader comments: paragraphs and line breaks kept, links as their URL."""
    root = parse(re.sub(r"<br\s*/?>[ \t]*\n", "<br>", source, flags=re.IGNORECASE))  # one break, not two
    paragraphs: list[str] = []
    _text_blocks(root, paragraphs)
    return "\n\n".join(p for p in (p.strip() for p in paragraphs) if p)


def _text_blocks(element: Element, paragraphs: list[str]) -> None:
    current: list[str] = []
    for child in element.children:
        if isinstance(child, str):
            current.append(re.sub(r"[ \t]+", " ", child))
        elif isinstance(child, Element) and child.tag in BLOCK:
            paragraphs.append("".join(current))
            current = []
            _text_blocks(child, paragraphs)
        elif isinstance(child, Element):
            if child.tag == "br":
                current.append("\n")
            elif child.tag == "a" and child.attrs.get("href") and child.attrs["href"] not in child.text():
                current.append(f"{child.text()} ({child.attrs['href']})")
            else:
                current.append(child.text())
    paragraphs.append("".join(current))
