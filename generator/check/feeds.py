"""Atom feeds and the sitemap of a built folder, as `fireside check` reads them (stdlib only).

A feed is checked against what RFC 4287 requires and what readers need in practice:
the required elements, RFC 3339 dates, and absolute URLs everywhere, escaped HTML
included, because readers resolve relative links against the wrong page or not at all.
Each problem inside an entry carries the entry's link, so `check` can trace it to a post.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from generator.check.pages import Problem, SitemapEntry
from generator.check.xmltree import ATOM, Element, XmlError, parse_xml

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_SUFFIXES = (".xml", ".atom")
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")
_URL_ATTRS = frozenset({"href", "src", "srcset", "poster"})


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


def read_xml(root: Path, rel: str) -> XmlReport:
    """Check one XML file of the output: well-formed, and valid if it is a feed or sitemap."""
    try:
        data = (root / rel).read_bytes()
    except OSError as err:
        return XmlReport("other", (Problem("error", rel, None, f"cannot read: {err.strerror}"),))
    return xml_report(rel, *parse_xml(data))


def xml_report(rel: str, tree: Element | None, error: XmlError | None) -> XmlReport:
    """The report on a parsed XML file (see xmltree.parse_xml)."""
    if error is not None or tree is None:
        line, message = (error.line, error.message) if error is not None else (1, "not XML")
        return XmlReport("other", (Problem("error", rel, line, f"not well-formed XML: {message}"),))
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
    if url.startswith(("https://", "http://")):  # the commonest case, told without urlsplit
        host = url[url.index("//") + 2 : url.index("//") + 3]
        if host.isalnum():
            return True
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    # "https://x/" and "mailto:x" are absolute; "//host/x" depends on the reader's scheme.
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme.lower() not in ("http", "https"))


class _FeedCheck:
    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.problems: list[Problem] = []

    def error(self, line: int | None, message: str, entry_url: str | None = None, needle: str = "") -> None:
        needles = (needle,) if needle else ()
        self.problems.append(Problem("error", self.rel, line, message, needles, trace_url=entry_url))

    def check(self, feed: Element) -> XmlReport:
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

    def _alternate(self, element: Element) -> str | None:
        for link in element.all("link"):
            if link.attrs.get("rel", "alternate") == "alternate" and link.attrs.get("href"):
                return link.attrs["href"].strip()
        return None

    def _required(self, element: Element, what: str, url: str | None) -> None:
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

    def _urls(self, element: Element, entry_url: str | None) -> None:
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

    def _content_urls(self, element: Element, entry_url: str | None) -> None:
        kind = element.attrs.get("type", "text")
        found: list[tuple[int, str]] = []
        if kind == "html":
            found = [(line, url) for line, _, attr, url, _ in element.html_scan().links if attr in _URL_ATTRS]
        elif kind == "xhtml":
            stack = list(element.children)
            while stack:
                node = stack.pop()
                stack.extend(node.children)
                found.extend((node.line, v) for k, v in node.attrs.items() if k in _URL_ATTRS and v.strip())
        for line, url in sorted(found):
            if url.strip() and not _absolute(url):
                self.error(line, f"relative URL {url!r} in the <{element.local(ATOM)}>", entry_url, url)


def _rfc3339(text: str) -> bool:
    if not _RFC3339.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
