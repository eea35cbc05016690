"""Broken internal links in a built output folder (stdlib only).

Run by the test-suite on every build and by `fireside check`. A link is internal when it
is relative, root-relative, or absolute under the site's base URL; everything else
(other hosts, mailto:, data:, protocol-relative "//host/x", ...) is not ours to check.
Each HTML file is parsed once and its links and ids are cached, and each distinct target
path is looked up on disk once, so sites with thousands of pages stay fast.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.parsers import expat

_HTML_SUFFIXES = (".html", ".htm")
_HREF_TAGS = frozenset({"a", "link", "area"})
_SRC_TAGS = frozenset({"img", "script", "source", "iframe", "audio", "video", "track"})
_XML_BASE = "http://www.w3.org/XML/1998/namespace base"  # xml:base, as expat names it
# <meta http-equiv=refresh content="0; url=/x/">: "url=" and quotes are optional. Applied
# to the stripped value; nothing after the always-matching (.*) can make it backtrack.
_REFRESH = re.compile(r"[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(.*)", re.I | re.S)
# srcset candidates as the HTML spec splits them: a URL is a run of non-spaces, so it may
# hold commas ("data:...,AAA 1x"); only commas ending the run separate it from the next.
# Possessive and always matching, so that no input makes it backtrack (linear time).
_SRCSET = re.compile(r"[\s,]*+(?:([^\s,]\S*+)(?:(?<=,)|[^,]*+))?")
_ATTR_AT = {
    a: re.compile(rf"\s{a}\s*=", re.I) for a in ("href", "src", "srcset", "poster", "action", "content")
}

Link = tuple[int, str, str]  # (line, url as written, absolute URL it is relative to)


@dataclass(frozen=True)
class LinkProblem:
    """One broken link: `page:line: broken link 'url': message`."""

    page: str  # output-relative POSIX path of the file holding the link
    line: int
    url: str  # as written; "" for a problem with the file itself (unreadable, bad XML)
    message: str

    def __str__(self) -> str:
        if not self.url:
            return f"{self.page}:{self.line}: {self.message}"
        return f"{self.page}:{self.line}: broken link '{self.url}': {self.message}"


def check_output(output_dir: Path, base_url: str) -> list[LinkProblem]:
    """Every broken internal link in the HTML and XML files under `output_dir`, sorted."""
    return LinkChecker(output_dir, base_url).check()


def _tag_links(tag: str, attrs: dict[str, str]) -> list[tuple[str, str]]:
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


def _join(base: str, href: str | None) -> str:
    """`base` moved by a <base href> or xml:base, if there is one."""
    try:
        return urljoin(base, href.strip()) if href and href.strip() else base
    except ValueError:  # a malformed one is ignored, as browsers do
        return base


class _PageParser(HTMLParser):
    """Collects links (with lines), ids and the <base href> of one HTML text."""

    def __init__(self, first_line: int = 1) -> None:
        super().__init__(convert_charrefs=True)
        self.line_offset = first_line - 1  # HTML escaped inside a feed starts mid-file
        self.links: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")  # the first of duplicate attributes wins
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "base" and self.base is None and "href" in values:
            self.base = values["href"]
        found = _tag_links(tag, values)
        if not found:
            return
        line = self.line_offset + self.getpos()[0]
        text = self.get_starttag_text() or ""
        for attr, url in found:
            # A start tag may span lines: point at the line of the attribute itself.
            at = _ATTR_AT[attr].search(text)
            self.links.append((line + (text[: at.start() + 1].count("\n") if at else 0), url))


@dataclass
class _Doc:
    links: list[Link] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    problems: list[LinkProblem] = field(default_factory=list)  # the file itself is unusable


@dataclass
class _Capture:
    """An XML element whose text (a URL, escaped HTML) or xhtml children hold links."""

    kind: str  # "url", "html" or "xhtml"
    depth: int  # nesting depth, to recognise its end tag
    line: int | None  # where its text starts, once known


class LinkChecker:
    """Checks the links of one output folder; reusable for single lookups in tests and tools."""

    def __init__(self, output_dir: Path, base_url: str) -> None:
        self.root = output_dir.resolve()
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        parts = urlsplit(self.base_url)
        self.site = (parts.scheme.lower(), parts.netloc.lower())
        self.base_path = parts.path or "/"
        self._docs: dict[str, _Doc] = {}
        self._located: dict[str, tuple[str | None, str | None]] = {}

    def check(self) -> list[LinkProblem]:
        """Every broken internal link, sorted by (page, line, url)."""
        problems: list[LinkProblem] = []
        for path in sorted(self.root.rglob("*")):
            if path.suffix.lower() not in (*_HTML_SUFFIXES, ".xml") or not path.is_file():
                continue
            page = path.relative_to(self.root).as_posix()
            doc = self._doc(page)
            problems.extend(doc.problems)
            for line, url, base in doc.links:
                message = self.problem(url, base)
                if message:
                    problems.append(LinkProblem(page, line, url, message))
        return sorted(problems, key=lambda p: (p.page, p.line, p.url))

    def page_url(self, page: str) -> str:
        """The absolute URL of an output-relative file, which its relative links start from."""
        return self.base_url + quote(page)

    def problem(self, raw: str, base: str) -> str | None:
        """Why the link `raw`, relative to the absolute URL `base`, is broken; None if fine."""
        url = raw.strip()  # browsers drop surrounding whitespace
        if not url:
            return None  # href="" is the page itself
        try:
            parts, base_parts = urlsplit(url), urlsplit(base)
        except ValueError as err:  # e.g. "http://[::1"
            return f"malformed URL: {err}"
        if parts.scheme or parts.netloc:
            if (parts.scheme.lower(), parts.netloc.lower()) != self.site:
                return None
            if not self._under_base(parts.path):
                return None  # same host, but another site: external by definition
            path = parts.path
        else:
            if (base_parts.scheme.lower(), base_parts.netloc.lower()) != self.site:
                return None  # a <base> or xml:base pointing at another host
            if parts.path.startswith("/"):
                path = parts.path
            elif parts.path:
                # Joined by hand, not urljoin: urljoin silently clamps "../" at the host root,
                # which would hide links that climb out of the output folder.
                path = base_parts.path[: base_parts.path.rfind("/") + 1] + parts.path
            else:
                path = base_parts.path  # "#id" or "?q": the document itself
            if not self._under_base(path):
                return f"outside the base path {self.base_path}"
        target, message = self.locate(unquote(path[len(self.base_path) :]))
        if target is None:
            return message
        fragment = parts.fragment.split(":~:")[0]  # ":~:text=..." is a browser directive
        decoded = unquote(fragment)
        if not fragment or decoded.lower() == "top" or not target.endswith(_HTML_SUFFIXES):
            return None
        ids = self._doc(target).ids
        if decoded in ids or fragment in ids:
            return None
        return f"no element with id '{decoded}' in {target}"

    def locate(self, rel: str) -> tuple[str | None, str | None]:
        """(output-relative file, None) for a decoded path below the base, or (None, message)."""
        # URLs resolve "." and ".." lexically (the host never sees them), and normalising here
        # lets "../../img/a.png" from a thousand pages share one look-up on disk.
        key = posixpath.normpath(rel.lstrip("/") or ".") + ("/" if rel.endswith("/") else "")
        if key not in self._located:
            self._located[key] = self._locate(key)
        return self._located[key]

    def _locate(self, rel: str) -> tuple[str | None, str | None]:
        try:
            # Resolved, so that a symlink cannot lead out of the output folder either.
            path = (self.root / rel).resolve()
            if not path.is_relative_to(self.root):
                return None, "outside the output folder"
            # A directory without its trailing slash is fine too: hosts redirect to "dir/".
            if rel.endswith("/") or path.is_dir():
                path = path / "index.html"
            shown = path.relative_to(self.root).as_posix()
            return (shown, None) if path.is_file() else (None, f"no such file: {shown}")
        except (OSError, ValueError) as err:  # NUL bytes, names too long for the OS
            return None, f"invalid path {rel!r}: {err}"

    def _under_base(self, path: str) -> bool:
        return path.startswith(self.base_path) or path == self.base_path.rstrip("/")

    def _doc(self, page: str) -> _Doc:
        if page not in self._docs:
            self._docs[page] = self._parse(page)
        return self._docs[page]

    def _parse(self, page: str) -> _Doc:
        try:
            data = (self.root / page).read_bytes()
        except OSError as err:
            return _Doc(problems=[LinkProblem(page, 1, "", f"cannot read: {err.strerror}")])
        if page.lower().endswith(".xml"):
            return self._parse_xml(page, data)
        # Universal newlines, so that line numbers match what editors show for CRLF files.
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        parser = _PageParser()
        parser.feed(text)
        parser.close()
        base = _join(self.page_url(page), parser.base)
        return _Doc([(line, url, base) for line, url in parser.links], parser.ids)

    def _parse_xml(self, page: str, data: bytes) -> _Doc:
        """Links of an Atom feed or sitemap: link@href, <loc>, HTML inside <content>."""
        doc = _Doc()
        xml = expat.ParserCreate(namespace_separator=" ")
        bases = [self.page_url(page)]  # xml:base in force, one entry per open element
        text: list[str] = []  # character data of the element being captured
        open_: list[_Capture] = []  # at most one: the element whose text or children we want

        def on_start(name: str, attrs: dict[str, str]) -> None:
            local, line = name.rsplit(" ", 1)[-1], xml.CurrentLineNumber
            base = _join(bases[-1], attrs.get(_XML_BASE))
            bases.append(base)
            if open_ and open_[0].kind == "xhtml":
                doc.links.extend((line, url, base) for _, url in _tag_links(local, attrs))
            elif open_:
                return
            elif local == "link" and "href" in attrs:
                doc.links.append((line, attrs["href"], base))
            elif local in ("loc", "link"):  # sitemap <loc>, RSS <link>: a URL as text
                open_.append(_Capture("url", len(bases), line))
            elif local in ("content", "summary") and attrs.get("type") in ("html", "xhtml"):
                open_.append(_Capture(attrs["type"], len(bases), None))

        def on_data(chunk: str) -> None:
            if open_ and open_[0].kind in ("url", "html"):
                if open_[0].line is None:  # escaped HTML starts where its first chunk does
                    open_[0].line = xml.CurrentLineNumber
                text.append(chunk)

        def on_end(name: str) -> None:
            if open_ and open_[0].depth == len(bases):
                found, body = open_.pop(), "".join(text)
                text.clear()
                if found.kind == "url" and body.strip() and found.line is not None:
                    doc.links.append((found.line, body.strip(), bases[-1]))
                elif found.kind == "html" and found.line is not None:
                    parser = _PageParser(first_line=found.line)
                    parser.feed(body)
                    parser.close()
                    doc.links.extend((n, url, bases[-1]) for n, url in parser.links)
            bases.pop()

        xml.StartElementHandler, xml.EndElementHandler = on_start, on_end
        xml.CharacterDataHandler = on_data
        try:
            xml.Parse(data, True)
        except expat.ExpatError as err:
            doc.problems.append(
                LinkProblem(page, err.lineno or 1, "", f"cannot parse XML: {expat.ErrorString(err.code)}")
            )
        return doc
