"""One quick pass over an HTML text for what `fireside check` reads in it (stdlib only).

A check reads every page of a site, and Python's HTMLParser, which calls back for every
tag and every run of text, took most of a check's time. What a check needs is narrow:
the links and where they are, the ids, the title, the meta description and a few other
head elements. So the text is read with regular expressions, which skip in C what does
not matter (most tags are spans and paragraphs): comments and script and style contents
are blanked first (keeping their line breaks), then only the tags that link, name the
page or carry an `id` are looked at.

Read as browsers read HTML where it matters here: tag and attribute names are
case-insensitive, the first of two equal attributes wins, entities in values are
decoded, a `<title>` inside inline SVG names the picture, not the page.
"""

from __future__ import annotations

import html
import re
from sys import intern
from typing import NamedTuple

# A link as a page holds it: (line, tag, attribute, URL as written, the element's rel).
Link = tuple[int, str, str, str, str]

# Comments, and the contents of elements whose text is never markup. The patterns are
# possessive or bounded by a fixed end, so that no input makes them backtrack.
_BLIND = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|template|textarea)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*+)>(.*?)(?:</\1\s*>|\Z)",
    re.I | re.S,
)
# Start tags that link or describe the page. Generated HTML writes tags and attributes in
# lower case, and a case-insensitive search costs twice as much: it is used only on a page
# that has an upper-case tag.
_TAGS = "a|area|link|img|source|script|iframe|audio|video|track|embed|form|meta|base|title"
_INSIDE = r"((?:[^>\"']|\"[^\"]*\"|'[^']*')*+)>"
_WANTED = re.compile(rf"<({_TAGS})(?=[\s/>]){_INSIDE}")
_WANTED_ANY_CASE = re.compile(rf"<({_TAGS})(?=[\s/>]){_INSIDE}", re.I)
_UPPER_TAG = re.compile(r"</?[A-Z]")
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_ID_ANY_CASE = re.compile(_ID.pattern, re.I)
_SVG = re.compile(r"<(/?)svg(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*+)>", re.I)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""")
_TITLE_END = re.compile(r"</title\s*>", re.I)
_HAS_RAW = re.compile(r"<(?:script|style|template|textarea)\b", re.I)
_SPACES = re.compile(r"\s+")
# <meta http-equiv=refresh content="0; url=/x/">: "url=" and quotes are optional. Applied
# to the stripped value; nothing after the always-matching (.*) can make it backtrack.
_REFRESH = re.compile(r"[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(.*)", re.I | re.S)
# srcset candidates as the HTML spec splits them: a URL is a run of non-spaces, so it may
# hold commas ("data:...,AAA 1x"); only commas ending the run separate it from the next.
# Possessive and always matching, so that no input makes it backtrack (linear time).
_SRCSET = re.compile(r"[\s,]*+(?:([^\s,]\S*+)(?:(?<=,)|[^,]*+))?")
_HREF_TAGS = frozenset({"a", "link", "area"})
_SRC_TAGS = frozenset({"img", "script", "source", "iframe", "audio", "video", "track", "embed"})
# Tags and text left out of a page's visible text.
_HIDDEN = re.compile(r"<(script|style|template|noscript|title|textarea)\b.*?(?:</\1\s*>|\Z)", re.I | re.S)
_ANY_TAG = re.compile(r"<!--.*?(?:-->|\Z)|<[!?/]?[a-zA-Z][^>]*+>?", re.S)


class HtmlScan(NamedTuple):
    """What one HTML text says about itself and where it points."""

    links: tuple[Link, ...]
    ids: frozenset[str]
    base: str | None  # the first <base href>
    title: str | None  # None: no <title> element at all
    title_line: int | None
    description: str | None  # None: no <meta name="description">
    description_line: int | None
    canonical: str | None
    noindex: bool
    redirect: bool  # <meta http-equiv="refresh">: an alias page


def _blank(match: re.Match[str]) -> str:
    """A comment or raw text as the line breaks it held; a <script> keeps its tag (its src)."""
    whole = match.group(0)
    if match.group(1) is None:
        return "\n" * whole.count("\n")
    head = f"<{match.group(1)}{match.group(2)}>"
    return head + "\n" * (whole.count("\n") - head.count("\n")) + f"</{match.group(1)}>"


def attributes(text: str) -> dict[str, str]:
    """The attributes of a start tag's inside (after its name): lower-case names, decoded values."""
    found: dict[str, str] = {}
    for name, double, single, bare in _ATTRIBUTE.findall(text):
        name = name.lower()
        if name in found:
            continue  # the first of duplicate attributes wins, as in browsers
        value = double or single or bare
        found[name] = html.unescape(value) if "&" in value else value
    return found


def _attribute_at(text: str, name: str) -> int:
    """Where attribute `name` starts in a tag's inside (to point at its line), or 0."""
    match = re.search(rf"(?:^|\s){re.escape(name)}\s*=", text, re.I)
    return match.start() if match else 0


def tag_links(tag: str, attrs: dict[str, str]) -> list[tuple[str, str]]:
    """(attribute, URL) pairs that an element links to; shared by HTML and Atom xhtml."""
    found: list[tuple[str, str]] = []
    if tag in _HREF_TAGS and "href" in attrs:
        found.append(("href", attrs["href"]))
    if tag in _SRC_TAGS and "src" in attrs:
        found.append(("src", attrs["src"]))
    if tag in ("img", "source") and "srcset" in attrs:
        candidates = (m.group(1) for m in _SRCSET.finditer(attrs["srcset"]) if m.group(1))
        found.extend(("srcset", url.rstrip(",")) for url in candidates)
    if tag == "video" and "poster" in attrs:
        found.append(("poster", attrs["poster"]))
    if tag == "form" and "action" in attrs:  # external actions are skipped like any link
        found.append(("action", attrs["action"]))
    if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
        match = _REFRESH.match(attrs.get("content", "").strip())
        url = match.group(1) if match else ""
        if url[:1] in ("'", '"'):
            url = url[1:].split(url[0])[0]
        if url.strip():
            found.append(("content", url))
    return found


def has_markup(text: str) -> bool:
    """Whether a text holds any tag at all: a search engine's verification file is named
    `google….html` but holds one line of plain text, and is no page for readers."""
    return _ANY_TAG.search(text) is not None


def scan_html(text: str, first_line: int = 1) -> HtmlScan:
    """Read an HTML text (newlines already made "\\n"); lines count from `first_line`."""
    if "<!--" in text or _HAS_RAW.search(text):
        text = _BLIND.sub(_blank, text)
    any_case = _UPPER_TAG.search(text) is not None
    links: list[Link] = []
    base = title = description = canonical = None
    title_line = description_line = None
    noindex = redirect = False
    ids: set[str] = set()
    in_svg = _svg_spans(text) if "<svg" in text or (any_case and "<SVG" in text.upper()) else ()
    line, counted = first_line, 0
    for match in (_WANTED_ANY_CASE if any_case else _WANTED).finditer(text):
        tag, inside = match.group(1), match.group(2)
        if any_case:
            tag = tag.lower()
        start = match.start()
        line += text.count("\n", counted, start)
        counted = start
        attrs = attributes(inside) if inside else {}
        if tag == "title":
            if title is None and not any(first <= start < last for first, last in in_svg):
                end = _TITLE_END.search(text, match.end())
                raw = text[match.end() : end.start() if end else len(text)]
                title, title_line = _SPACES.sub(" ", html.unescape(raw)).strip(), line
            continue
        if tag == "meta":
            name = attrs.get("name", "").lower()
            if name == "description" and description is None:
                description, description_line = attrs.get("content", "").strip(), line
            elif name == "robots" and "noindex" in attrs.get("content", "").lower():
                noindex = True
            elif attrs.get("http-equiv", "").lower() == "refresh":
                redirect = True
        elif tag == "base":
            if base is None and "href" in attrs:
                base = attrs["href"]
            continue
        elif tag == "a" and attrs.get("name"):
            ids.add(attrs["name"])  # the anchors of old pages
        rel = attrs.get("rel", "").lower() if tag == "link" else ""
        if tag == "link" and canonical is None and "canonical" in rel.split():
            canonical = attrs.get("href", "").strip()
        for attr, url in tag_links(tag, attrs):
            # A start tag may span lines: point at the line of the attribute itself.
            offset = inside.count("\n", 0, _attribute_at(inside, attr)) if "\n" in inside else 0
            # Interned: a site's pages repeat the same links, and the check's memory keeps
            # each string once (pickle shares equal objects, not equal values).
            links.append((line + offset, intern(tag), intern(attr), intern(url), intern(rel)))
    for double, single, bare in (_ID_ANY_CASE if any_case else _ID).findall(text):
        found = double or single or bare
        ids.add(html.unescape(found) if "&" in found else found)
    return HtmlScan(
        links=tuple(links),
        ids=frozenset(ids),
        base=base,
        title=title,
        title_line=title_line,
        description=description,
        description_line=description_line,
        canonical=canonical,
        noindex=noindex,
        redirect=redirect,
    )


def _svg_spans(text: str) -> list[tuple[int, int]]:
    """Where inline SVG pictures are (outermost ones), to tell their <title> from the page's."""
    spans: list[tuple[int, int]] = []
    depth, opened = 0, 0
    for match in _SVG.finditer(text):
        if match.group(2).rstrip().endswith("/"):
            continue  # <svg .../> opens and closes at once
        if not match.group(1):
            if depth == 0:
                opened = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((opened, match.end()))
    if depth:
        spans.append((opened, len(text)))
    return spans


def visible_text(text: str) -> str:
    """The text a reader sees, whitespace collapsed (to find a title quoted on a page)."""
    text = _HIDDEN.sub(" ", text)
    return _SPACES.sub(" ", html.unescape(_ANY_TAG.sub(" ", text))).strip()
