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
from pathlib import Path
from typing import Literal, NamedTuple
from urllib.parse import unquote, urlsplit

from generator.check.scan import Link, has_markup, scan_html

Severity = Literal["error", "warning"]

HTML_SUFFIXES = (".html", ".htm")
NOT_FOUND_PAGE = "404.html"
# What urlsplit reads otherwise than as part of a URL's path (query, fragment, the
# control characters it drops): a URL holding one takes its way (site_rel).
_UNPLAIN = re.compile(r"[?#\t\n\r]")


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
    group: str | None = None  # one broken target: pages that show it are one problem
    target: str | None = None  # a broken link's URL as the page writes it


# A link on a page: (line, tag, attribute, URL as written, the element's rel); plain
# tuples, as a site's pages hold tens of thousands of them and the check keeps them.
PageLink = Link


@dataclass(frozen=True)
class PageFacts:
    """What one HTML page says about itself, and its links and ids."""

    title: str | None  # None: no <title> element at all
    title_line: int | None
    description: str | None  # None: no <meta name="description">
    description_line: int | None
    canonical: str | None
    noindex: bool
    redirect: bool  # <meta http-equiv="refresh">: an alias page
    links: tuple[PageLink, ...]
    ids: frozenset[str]
    base: str | None  # its <base href>
    markup: bool = True  # False: plain text in an .html file (a verification file), not a page

    def summary(self) -> PageSummary:
        return PageSummary(
            self.title,
            self.title_line,
            self.description,
            self.description_line,
            self.canonical,
            self.noindex,
            self.redirect,
            self.markup,
        )


class PageSummary(NamedTuple):
    """What the checks across pages (titles, duplicates, the sitemap) need of a page: kept
    for every page of a folder, where its links and ids are fetched only when needed."""

    title: str | None
    title_line: int | None
    description: str | None
    description_line: int | None
    canonical: str | None
    noindex: bool
    redirect: bool
    markup: bool


@dataclass(frozen=True)
class Inventory:
    """A built folder read once: every file, and what every HTML page says of itself."""

    root: Path
    files: tuple[str, ...]  # output-relative POSIX paths, sorted
    pages: dict[str, PageSummary]


def page_facts(text: str) -> PageFacts:
    """The facts of an HTML text (newlines already made "\\n")."""
    scanned = scan_html(text)
    return PageFacts(
        title=scanned.title,
        title_line=scanned.title_line,
        description=scanned.description,
        description_line=scanned.description_line,
        canonical=scanned.canonical,
        noindex=scanned.noindex,
        redirect=scanned.redirect,
        links=scanned.links,
        ids=scanned.ids,
        base=scanned.base,
        markup=has_markup(text),
    )


def read_page(data: bytes) -> str:
    """A page's text as editors show it: UTF-8 (damage replaced), universal newlines."""
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


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
            pages[rel] = page_facts(read_page(path.read_bytes())).summary()
    return Inventory(root, tuple(files), pages)


def site_rel(url: str, base_url: str) -> str | None:
    """The decoded output path an absolute URL under `base_url` names ("" for the root), else None."""
    url = url.strip()
    prefix = base_url if base_url.endswith("/") else base_url + "/"
    if url.startswith(prefix) and not _UNPLAIN.search(url):
        # The commonest case (every sitemap entry, every canonical link), read without
        # urlsplit: the same scheme and host as written, a path and nothing after it.
        return unquote(url[len(prefix) :])
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
    if rel.endswith("/") and rel[:1] != "/" and "//" not in rel and "/." not in "/" + rel:
        return rel + "index.html"  # a folder's address as the sitemap lists it: nothing to normalise
    normal = posixpath.normpath("/" + rel).lstrip("/")
    if not normal or rel.endswith("/") or not posixpath.splitext(normal)[1]:
        return posixpath.join(normal, "index.html") if normal else "index.html"
    return normal


def title_problems(inventory: Inventory) -> list[Problem]:
    """Every page needs a title; every indexable page a description (search results show it)."""
    problems = []
    for rel, facts in inventory.pages.items():
        if facts.redirect or not facts.markup:
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
        if rel.rpartition("/")[2] == "index.html":
            continue  # most pages, and never a twin of another
        stem, suffix = posixpath.splitext(rel)
        if suffix.lower() in HTML_SUFFIXES:
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
    present = set(inventory.files)
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
        if target not in present:
            message = f"sitemap lists {entry.url}, which is not in the output (no {target})"
            problems.append(Problem("error", sitemap, entry.line, message))
        elif facts is not None and (facts.redirect or facts.noindex):
            kind = "a redirect" if facts.redirect else "a noindex page"
            problems.append(Problem("warning", sitemap, entry.line, f"sitemap lists {entry.url}, {kind}"))
    for rel, facts in inventory.pages.items():
        if rel == NOT_FOUND_PAGE or facts.redirect or facts.noindex or not facts.markup or rel in listed:
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
