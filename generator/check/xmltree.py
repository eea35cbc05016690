"""An XML file of the output as a tree with lines, and the links in it (stdlib only).

Feeds and the sitemap are read once: feeds.py checks the tree against Atom, links.py
checks the links found here. HTML escaped inside a feed's content is scanned once and
kept on its element, as both need its links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin
from xml.parsers import expat

from generator.check.scan import HtmlScan, scan_html, tag_links

_XML_BASE = "http://www.w3.org/XML/1998/namespace base"  # xml:base, as expat names it
ATOM = "http://www.w3.org/2005/Atom"

# A link found in a file: (line, URL as written, the absolute URL it is relative to).
Located = tuple[int, str, str]


@dataclass
class Element:
    """A parsed XML element with the lines it spans (built while parsing, then only read)."""

    name: str  # "namespace local", as expat names it
    attrs: dict[str, str]
    line: int
    space: str = ""  # its namespace, and its local name (read from `name` once)
    local_name: str = ""
    end_line: int = 0
    children: list[Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    text_line: int | None = None
    scanned: HtmlScan | None = None  # its text read as HTML, once asked (see html_scan)

    def local(self, namespace: str) -> str | None:
        return self.local_name if self.space == namespace else None

    def all(self, name: str, namespace: str = ATOM) -> list[Element]:
        return [child for child in self.children if child.local_name == name and child.space == namespace]

    def string(self) -> str:
        return "".join(self.text).strip()

    def html_scan(self, seen: dict[str, HtmlScan] | None = None) -> HtmlScan:
        """Its text as HTML (escaped HTML in <content type="html">), lines as in the file.

        `seen`: texts already scanned (from line 1), by their text: a post's content is in
        the site's feed and in the feed of each of its tags.
        """
        if self.scanned is None:
            text, first = "".join(self.text), self.text_line or self.line
            if seen is None:
                self.scanned = scan_html(text, first)
            else:
                found = seen.get(text)
                if found is None:
                    found = seen[text] = scan_html(text)
                moved = tuple((line + first - 1, *rest) for line, *rest in found.links)
                self.scanned = found._replace(links=moved)  # type: ignore[arg-type]
        return self.scanned


@dataclass(frozen=True)
class XmlError:
    line: int
    message: str  # expat's words, e.g. "mismatched tag"


def parse_xml(data: bytes) -> tuple[Element | None, XmlError | None]:
    """The tree of `data`, and what made it stop if it is not well-formed (the tree then
    holds what came before: its links are still worth checking)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[Element] = []
    roots: list[Element] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        space, _, local = name.rpartition(" ")
        element = Element(name, attrs, parser.CurrentLineNumber, space, local)
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(_name: str) -> None:
        stack.pop().end_line = parser.CurrentLineNumber

    def text(chunk: str) -> None:
        if stack:
            if stack[-1].text_line is None:
                # Buffered text comes when the markup after it does: it began as many lines
                # before as it holds line breaks.
                stack[-1].text_line = max(stack[-1].line, parser.CurrentLineNumber - chunk.count("\n"))
            stack[-1].text.append(chunk)

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    # Text in one piece, not one call per line and per entity (a feed's escaped HTML made
    # hundreds of thousands of calls).
    parser.buffer_text = True
    parser.buffer_size = 1 << 20
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        error = XmlError(err.lineno or 1, expat.ErrorString(err.code) or "not XML")
        return (roots[0] if roots else None), error
    return (roots[0] if roots else None), None


def _join(base: str, href: str | None) -> str:
    """`base` moved by an xml:base, if there is one (a malformed one is ignored)."""
    try:
        return urljoin(base, href.strip()) if href and href.strip() else base
    except ValueError:
        return base


def xml_links(root: Element, file_url: str, seen: dict[str, HtmlScan] | None = None) -> list[Located]:
    """Links of an Atom feed, RSS or sitemap: link@href, <loc> and <link> text, and links
    in HTML or XHTML content, each with the xml:base in force."""
    found: list[Located] = []
    stack = [(root, _join(file_url, root.attrs.get(_XML_BASE)))]
    while stack:
        element, base = stack.pop()
        local = element.local_name
        if local == "link" and "href" in element.attrs:
            found.append((element.line, element.attrs["href"], base))
        elif local in ("loc", "link"):  # sitemap <loc>, RSS <link>: a URL as text
            if element.string() and element.text_line is not None:
                found.append((element.text_line, element.string(), base))
            continue
        elif local in ("content", "summary") and element.attrs.get("type") == "html":
            if element.text_line is not None:
                found.extend((link[0], link[3], base) for link in element.html_scan(seen).links)
            continue
        elif local in ("content", "summary") and element.attrs.get("type") == "xhtml":
            found.extend(_xhtml_links(element, base))
            continue
        for child in reversed(element.children):
            stack.append((child, _join(base, child.attrs.get(_XML_BASE))))
    return sorted(found, key=lambda link: link[0])


def _xhtml_links(content: Element, base: str) -> list[Located]:
    found: list[Located] = []
    stack = [(child, _join(base, child.attrs.get(_XML_BASE))) for child in reversed(content.children)]
    while stack:
        element, here = stack.pop()
        found.extend((element.line, url, here) for _, url in tag_links(element.local_name, element.attrs))
        stack.extend((child, _join(here, child.attrs.get(_XML_BASE))) for child in reversed(element.children))
    return found
