"""What `fireside check` looks for in a built folder's pages and files (stdlib only).

Everything here works on the output alone and reports at output locations (`Problem`);
`check` traces each back to the source file that caused it. Broken links are links.py's
job; this module reads the pages once and covers what a link checker cannot see: pages
without a title or a description, two files serving one URL, pages missing from the
sitemap, and what a static host needs (leaks.py looks for what must not be there).
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import unquote, urlsplit

Severity = Literal["error", "warning"]

HTML_SUFFIXES = (".html", ".htm")
NOT_FOUND_PAGE = "404.html"



@dataclass(frozen=True)
class Problem:
    """A finding at an output location, before `check` traces it to a source file."""

    severity: Severity
    page: str  # output-relative POSIX path of the file it is about
    line: int | None
    message: str
    needles: tuple[str, ...] = ()  # text that, found in the source file, gives the line
    trace_url: str | None = None  # absolute URL of the page whose source caused it, if not `page`
    source: str | None = None  # site-relative source file, when the check already knows it
    source_line: int | None = None


@dataclass(frozen=True)
class PageLink:
    line: int
    tag: str
    attr: str
    url: str
    rel: str = ""  # <link rel=...>, to tell stylesheets from preconnect hints


@dataclass(frozen=True)
class PageFacts:
    """What one HTML page says about itself."""

    title: str | None  # None: no <title> element at all
    title_line: int | None
    description: str | None  # None: no <meta name="description">
    description_line: int | None
    canonical: str | None
    noindex: bool
    redirect: bool  # <meta http-equiv="refresh">: an alias page
    links: tuple[PageLink, ...]
    text: str  # visible text, whitespace collapsed, for spotting unpublished titles


@dataclass(frozen=True)
class Inventory:
    """A built folder read once: every file, and the facts of every HTML page."""

    root: Path
    files: tuple[str, ...]  # output-relative POSIX paths, sorted
    pages: dict[str, PageFacts]


_LINK_ATTRS = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
}
_HIDDEN_TEXT = frozenset({"script", "style", "template", "noscript"})
_SPACES = re.compile(r"\s+")


class _FactsParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] | None = None
        self.title_line: int | None = None
        self.in_title = False
        self.svg_depth = 0  # <title> inside inline SVG names the picture, not the page
        self.hidden_depth = 0
        self.description: str | None = None
        self.description_line: int | None = None
        self.canonical: str | None = None
        self.noindex = False
        self.redirect = False
        self.links: list[PageLink] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")
        line = self.getpos()[0]
        if tag == "svg":
            self.svg_depth += 1
        elif tag in _HIDDEN_TEXT:
            self.hidden_depth += 1
        elif tag == "title" and not self.svg_depth and self.title is None:
            self.title, self.title_line, self.in_title = [], line, True
        elif tag == "meta":
            self._meta(values, line)
        rel = values.get("rel", "").lower()
        if tag == "link" and "canonical" in rel.split() and self.canonical is None:
            self.canonical = values.get("href", "").strip()
        for attr in _LINK_ATTRS.get(tag, ()):
            if attr not in values:
                continue
            if attr == "srcset":
                for candidate in values[attr].split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        self.links.append(PageLink(line, tag, attr, url, rel))
            elif values[attr].strip():
                self.links.append(PageLink(line, tag, attr, values[attr].strip(), rel))

    def _meta(self, values: dict[str, str], line: int) -> None:
        name = values.get("name", "").lower()
        if name == "description" and self.description is None:
            self.description, self.description_line = values.get("content", ""), line
        elif name == "robots" and "noindex" in values.get("content", "").lower():
            self.noindex = True
        elif values.get("http-equiv", "").lower() == "refresh":
            self.redirect = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self.svg_depth:
            self.svg_depth -= 1
        elif tag in _HIDDEN_TEXT and self.hidden_depth:
            self.hidden_depth -= 1
        elif tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title and self.title is not None:
            self.title.append(data)
        elif not self.hidden_depth:
            self.text.append(data)


def page_facts(text: str) -> PageFacts:
    parser = _FactsParser()
    parser.feed(text)
    parser.close()
    return PageFacts(
        title=_SPACES.sub(" ", "".join(parser.title)).strip() if parser.title is not None else None,
        title_line=parser.title_line,
        description=parser.description.strip() if parser.description is not None else None,
        description_line=parser.description_line,
        canonical=parser.canonical,
        noindex=parser.noindex,
        redirect=parser.redirect,
        links=tuple(parser.links),
        text=_SPACES.sub(" ", " ".join(parser.text)).strip(),
    )


def scan_output(root: Path) -> Inventory:
    """Read a built folder: its files (links are not followed out of it) and its pages."""
    files = []
    pages = {}
    for path in sorted(root.rglob("*")):
        if not (path.is_file() or path.is_symlink()):
            continue
        rel = path.relative_to(root).as_posix()
        files.append(rel)
        if rel.lower().endswith(HTML_SUFFIXES) and path.is_file():
            data = path.read_bytes().decode("utf-8", errors="replace")
            pages[rel] = page_facts(data.replace("\r\n", "\n").replace("\r", "\n"))
    return Inventory(root, tuple(files), pages)


def site_rel(url: str, base_url: str) -> str | None:
    """The decoded output path an absolute URL under `base_url` names ("" for the root), else None."""
    try:
        parts, base = urlsplit(url.strip()), urlsplit(base_url)
    except ValueError:
        return None
    if (parts.scheme.lower(), parts.netloc.lower()) != (base.scheme.lower(), base.netloc.lower()):
        return None
    base_path = base.path if base.path.endswith("/") else base.path + "/"
    if not (parts.path + "/").startswith(base_path):
        return None
    return unquote(parts.path[len(base_path) :])


def page_file(rel: str) -> str:
    """The file a site path is served from: "posts/x/" and "posts/x" → "posts/x/index.html"."""
    normal = posixpath.normpath("/" + rel).lstrip("/")
    if not normal or rel.endswith("/") or not posixpath.splitext(normal)[1]:
        return posixpath.join(normal, "index.html") if normal else "index.html"
    return normal


def title_problems(inventory: Inventory) -> list[Problem]:
    """Every page needs a title; every indexable page a description (search results show it)."""
    problems = []
    for rel, facts in inventory.pages.items():
        if facts.redirect:
            continue
        if not facts.title:
            what = "an empty <title>" if facts.title is not None else "no <title>"
            problems.append(Problem("error", rel, facts.title_line or 1, f"page has {what}"))
        if rel == NOT_FOUND_PAGE or facts.noindex:
            continue
        if not facts.description:
            what = "an empty" if facts.description is not None else "no"
            problems.append(
                Problem("warning", rel, facts.description_line or 1, f"page has {what} meta description")
            )
    return problems


def duplicate_problems(inventory: Inventory) -> list[Problem]:
    """Two files serving one URL, on some host or another, or two pages claiming one URL."""
    problems = []
    by_case: dict[str, list[str]] = defaultdict(list)
    for rel in inventory.files:
        by_case[rel.casefold()].append(rel)
    for same in by_case.values():
        for other in same[1:]:
            problems.append(
                Problem(
                    "error",
                    other,
                    None,
                    f"duplicate URL: {other} and {same[0]} differ only in case; on case-insensitive "
                    "disks and hosts one replaces the other",
                )
            )
    present = set(inventory.files)
    for rel in inventory.files:
        stem, suffix = posixpath.splitext(rel)
        if suffix.lower() in HTML_SUFFIXES and PurePosixPath(rel).name != "index.html":
            twin = f"{stem}/index.html"
            if twin in present:
                problems.append(
                    Problem(
                        "error",
                        rel,
                        None,
                        f"duplicate URL: {rel} and {twin} both answer /{stem} on hosts with "
                        "clean URLs, and which one wins depends on the host",
                    )
                )
    canonical_of: dict[str, str] = {}
    for rel, facts in inventory.pages.items():
        if facts.redirect or facts.noindex or not facts.canonical:
            continue
        first = canonical_of.setdefault(facts.canonical, rel)
        if first != rel:
            problems.append(
                Problem(
                    "error",
                    rel,
                    None,
                    f"duplicate URL: {rel} says its URL is {facts.canonical}, as {first} does",
                )
            )
    return problems


@dataclass(frozen=True)
class SitemapEntry:
    line: int
    url: str


def sitemap_problems(
    inventory: Inventory, entries: Iterable[SitemapEntry] | None, base_url: str, sitemap: str
) -> list[Problem]:
    """The sitemap lists every indexable page, and only pages that exist."""
    if entries is None:
        return [Problem("warning", sitemap, None, f"no {sitemap}: search engines find fewer pages")]
    problems = []
    listed: set[str] = set()
    for entry in entries:
        rel = site_rel(entry.url, base_url)
        if rel is None:
            message = f"sitemap lists {entry.url}, which is not under {base_url}"
            problems.append(Problem("error", sitemap, entry.line, message))
            continue
        target = page_file(rel)
        if target in listed:
            problems.append(Problem("warning", sitemap, entry.line, f"sitemap lists {entry.url} twice"))
        listed.add(target)
        facts = inventory.pages.get(target)
        if target not in inventory.files:
            message = f"sitemap lists {entry.url}, which is not in the output (no {target})"
            problems.append(Problem("error", sitemap, entry.line, message))
        elif facts is not None and (facts.redirect or facts.noindex):
            kind = "a redirect" if facts.redirect else "a noindex page"
            problems.append(Problem("warning", sitemap, entry.line, f"sitemap lists {entry.url}, {kind}"))
    for rel, facts in inventory.pages.items():
        if rel == NOT_FOUND_PAGE or facts.redirect or facts.noindex or rel in listed:
            continue
        target = site_rel(facts.canonical, base_url) if facts.canonical else None
        if target is not None and page_file(target) != rel:
            continue  # the page names another as the one to index
        problems.append(Problem("warning", rel, None, f"page is not in {sitemap}"))
    return problems


def static_host_problems(inventory: Inventory) -> list[Problem]:
    """What a static host needs without any server configuration."""
    problems = []
    if "index.html" not in inventory.files:
        message = "no index.html at the root: the home page is missing"
        problems.append(Problem("error", "index.html", None, message))
    if NOT_FOUND_PAGE not in inventory.files:
        message = "no 404.html at the root: hosts show their own error page"
        problems.append(Problem("warning", NOT_FOUND_PAGE, None, message))
    return problems
