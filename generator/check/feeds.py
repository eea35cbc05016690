"""Atom feeds and the sitemap of a built folder, as `fireside check` reads them (stdlib only).

A feed is checked against what RFC 4287 requires and what readers need in practice:
the required elements, RFC 3339 dates, and absolute URLs everywhere, escaped HTML
included, because readers resolve relative links against the wrong page or not at all.
Each problem inside an entry carries the entry's link, so `check` can trace it to a post.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from xml.parsers import expat

from generator.check.pages import Problem, SitemapEntry

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_SUFFIXES = (".xml", ".atom")
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")
_URL_ATTRS = frozenset({"href", "src", "srcset", "poster"})


@dataclass
class _Element:
    """A parsed XML element with the lines it spans (built while parsing, then only read)."""

    name: str  # "namespace local", as expat names it
    attrs: dict[str, str]
    line: int
    end_line: int = 0
    children: list[_Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    text_line: int | None = None

    def local(self, namespace: str) -> str | None:
        space, _, local = self.name.rpartition(" ")
        return local if space == namespace else None

    def all(self, name: str) -> list[_Element]:
        return [child for child in self.children if child.local(ATOM) == name]

    def string(self) -> str:
        return "".join(self.text).strip()


@dataclass(frozen=True)
class EntrySpan:
    first_line: int
    last_line: int
    url: str  # the entry's alternate link: the page it mirrors


@dataclass(frozen=True)
class XmlReport:
    kind: str  # "atom", "sitemap" or "other"
    problems: tuple[Problem, ...] = ()
    entries: tuple[EntrySpan, ...] = ()
    sitemap: tuple[SitemapEntry, ...] = ()


class _XmlError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _parse(data: bytes) -> _Element:
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[_Element] = []
    roots: list[_Element] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        element = _Element(name, attrs, parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(_name: str) -> None:
        stack.pop().end_line = parser.CurrentLineNumber

    def text(chunk: str) -> None:
        if stack:
            if stack[-1].text_line is None:
                stack[-1].text_line = parser.CurrentLineNumber
            stack[-1].text.append(chunk)

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise _XmlError(err.lineno or 1, expat.ErrorString(err.code) or "not XML") from err
    return roots[0]


def read_xml(root: Path, rel: str) -> XmlReport:
    """Check one XML file of the output: well-formed, and valid if it is a feed or sitemap."""
    try:
        tree = _parse((root / rel).read_bytes())
    except _XmlError as err:
        return XmlReport("other", (Problem("error", rel, err.line, f"not well-formed XML: {err}"),))
    except OSError as err:
        return XmlReport("other", (Problem("error", rel, None, f"cannot read: {err.strerror}"),))
    if tree.local(ATOM) == "feed":
        return _FeedCheck(rel).check(tree)
    if tree.local(SITEMAP) == "urlset":
        entries = [
            SitemapEntry(loc.text_line or loc.line, loc.string())
            for url in tree.children
            if url.local(SITEMAP) == "url"
            for loc in url.children
            if loc.local(SITEMAP) == "loc" and loc.string()
        ]
        return XmlReport("sitemap", sitemap=tuple(entries))
    return XmlReport("other")


def _absolute(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    # "https://x/" and "mailto:x" are absolute; "//host/x" depends on the reader's scheme.
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme.lower() not in ("http", "https"))


class _HtmlUrls(HTMLParser):
    """URL attributes of escaped HTML in <content type="html">, with their lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in _URL_ATTRS and value and value.strip():
                urls = [c.strip().split(" ")[0] for c in value.split(",")] if name == "srcset" else [value]
                self.found.extend((self.getpos()[0], url) for url in urls if url)


class _FeedCheck:
    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.problems: list[Problem] = []

    def error(self, line: int | None, message: str, entry_url: str | None = None, needle: str = "") -> None:
        needles = (needle,) if needle else ()
        self.problems.append(Problem("error", self.rel, line, message, needles, trace_url=entry_url))

    def check(self, feed: _Element) -> XmlReport:
        self._required(feed, "feed", None)
        if not self._alternate(feed):
            self.error(feed.line, 'feed has no <link rel="alternate"> to the site')
        if not any(link.attrs.get("rel") == "self" for link in feed.all("link")):
            self.problems.append(Problem("warning", self.rel, feed.line, 'feed has no <link rel="self">'))
        self._urls(feed, None)
        has_author = bool(feed.all("author"))
        spans = []
        ids: Counter[str] = Counter()
        for entry in feed.all("entry"):
            url = self._alternate(entry)
            spans.append(EntrySpan(entry.line, entry.end_line, url or ""))
            self._required(entry, "entry", url)
            if url is None:
                self.error(entry.line, 'entry has no <link rel="alternate"> to its page')
            if not has_author and not entry.all("author"):
                self.error(entry.line, "entry has no <author>, and neither has the feed", url)
            for id_element in entry.all("id"):
                ids[id_element.string()] += 1
                if ids[id_element.string()] == 2:
                    self.error(id_element.line, f"two entries have the id {id_element.string()!r}", url)
            self._urls(entry, url)
        return XmlReport("atom", tuple(self.problems), tuple(spans))

    def _alternate(self, element: _Element) -> str | None:
        for link in element.all("link"):
            if link.attrs.get("rel", "alternate") == "alternate" and link.attrs.get("href"):
                return link.attrs["href"].strip()
        return None

    def _required(self, element: _Element, what: str, url: str | None) -> None:
        for name in ("id", "title", "updated"):
            found = element.all(name)
            if len(found) != 1:
                count = "no" if not found else f"{len(found)}"
                self.error(element.line, f"{what} has {count} <{name}> (it needs exactly one)", url)
        for name in ("updated", "published"):
            for date in element.all(name):
                if not _rfc3339(date.string()):
                    self.error(date.line, f"<{name}> {date.string()!r} is not an RFC 3339 date", url)
        for id_element in element.all("id"):
            if not _absolute(id_element.string()):
                self.error(id_element.line, f"<id> {id_element.string()!r} is not an absolute IRI", url)

    def _urls(self, element: _Element, entry_url: str | None) -> None:
        """Relative URLs among this element's own links, icons and content (not entries')."""
        for child in element.children:
            local = child.local(ATOM)
            if local == "link":
                href = child.attrs.get("href", "")
                if not href.strip():
                    self.error(child.line, "<link> without href", entry_url)
                elif not _absolute(href):
                    self.error(child.line, f"relative URL {href!r} in <link>", entry_url, href)
            elif local in ("icon", "logo", "uri") and child.string() and not _absolute(child.string()):
                self.error(child.line, f"relative URL {child.string()!r} in <{local}>", entry_url)
            elif local == "author":
                self._urls(child, entry_url)
            elif local in ("content", "summary"):
                self._content_urls(child, entry_url)

    def _content_urls(self, element: _Element, entry_url: str | None) -> None:
        kind = element.attrs.get("type", "text")
        found: list[tuple[int, str]] = []
        if kind == "html":
            parser = _HtmlUrls()
            parser.feed("".join(element.text))
            parser.close()
            first = element.text_line or element.line
            found = [(first + line - 1, url) for line, url in parser.found]
        elif kind == "xhtml":
            stack = list(element.children)
            while stack:
                node = stack.pop()
                stack.extend(node.children)
                found.extend((node.line, v) for k, v in node.attrs.items() if k in _URL_ATTRS and v.strip())
        for line, url in sorted(found):
            if not _absolute(url):
                self.error(line, f"relative URL {url!r} in the <{element.local(ATOM)}>", entry_url, url)


def _rfc3339(text: str) -> bool:
    if not _RFC3339.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
