"""Each page and feed of a checked folder read once, on every core (for `fireside check`).

What a file says (its links, ids, title, feed entries...) depends on its bytes, its path
and the site's base URL only, so it is kept in the check's memory under those and never
read again while they stay the same (memory.py). Reading the files that are new to the
memory is most of a full check's work: with many of them, it is spread over the cores
as the build spreads rendering (build/parallel.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from generator.build.parallel import in_chunks, workers_for
from generator.check.feeds import XML_SUFFIXES, XmlReport, xml_report
from generator.check.links import LinkProblem
from generator.check.pages import HTML_SUFFIXES, PageFacts, PageSummary, Problem, page_facts, read_page
from generator.check.scan import HtmlScan
from generator.check.xmltree import Located, parse_xml, xml_links

READ_SUFFIXES = (*HTML_SUFFIXES, *XML_SUFFIXES)


@dataclass(frozen=True)
class FileFacts:
    """What one HTML or XML file of the output says."""

    page: PageFacts | None  # an HTML page
    xml: XmlReport | None  # an XML file: a feed, a sitemap or other
    xml_links: tuple[Located, ...] = ()  # an XML file's links, each with the base it is relative to
    problems: tuple[LinkProblem, ...] = ()  # the file itself cannot be read as what it says it is


class FileSummary(NamedTuple):
    """What the checks of a whole folder need of one file every time: kept for every file
    (a few hundred bytes), where its facts (links, ids, feed entries) are kept by digest
    and fetched only for the files whose links are followed again (memory.py)."""

    page: PageSummary | None
    xml_kind: str | None  # "atom", "sitemap" or "other"; None: not an XML file
    problems: tuple[LinkProblem, ...]  # the file itself cannot be read as what it says it is
    xml_problems: tuple[Problem, ...]  # what the checks of feeds and sitemaps found in it


def summary(facts: FileFacts) -> FileSummary:
    page = facts.page.summary() if facts.page is not None else None
    xml = facts.xml
    if xml is None:
        return FileSummary(page, None, facts.problems, ())
    return FileSummary(page, xml.kind, facts.problems, xml.problems)


def is_read(rel: str) -> bool:
    """True for the files whose contents are checked (pages and XML)."""
    return rel.lower().endswith(READ_SUFFIXES)


def read_facts(rel: str, data: bytes, file_url: str, seen: dict[str, HtmlScan] | None = None) -> FileFacts:
    """What a file says; `seen` keeps HTML scanned inside feeds, which repeat each other."""
    if not rel.lower().endswith(XML_SUFFIXES):
        return FileFacts(page_facts(read_page(data)), None)
    tree, error = parse_xml(data)
    problems = ()
    if error is not None:
        problems = (LinkProblem(rel, error.line, "", f"cannot parse XML: {error.message}"),)
    links = tuple(xml_links(tree, file_url, seen)) if tree is not None else ()
    return FileFacts(None, xml_report(rel, tree, error), links, problems)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# One file to read: (output folder, output-relative path, its absolute URL).
_ToRead = tuple[str, str, str]
# What reading it gave: (its path, digest of its bytes, its facts); None when unreadable.
Read = tuple[str, str, FileFacts] | tuple[str, None, FileFacts]


def _read_one(folder: str, rel: str, file_url: str, seen: dict[str, HtmlScan]) -> Read:
    try:
        data = (Path(folder) / rel).read_bytes()
    except OSError as err:
        unreadable = LinkProblem(rel, 1, "", f"cannot read: {err.strerror}")
        return rel, None, FileFacts(None, None, problems=(unreadable,))
    return rel, digest(data), read_facts(rel, data, file_url, seen)


def _read_chunk(files: Sequence[_ToRead]) -> list[Read]:
    seen: dict[str, HtmlScan] = {}
    return [_read_one(*file, seen) for file in files]


def read_all(
    folder: Path, rels: Sequence[str], url_of: Callable[[str], str], done: Callable[[int], None]
) -> list[Read]:
    """Read `rels` under `folder`, on every core when there are many; `done(n)` as they finish."""
    # Feeds first, so that they come in one chunk, which scans each post's content once.
    ordered = sorted(rels, key=lambda rel: not rel.lower().endswith(XML_SUFFIXES))
    files = [(str(folder), rel, url_of(rel)) for rel in ordered]
    workers = workers_for(len(files))

    def here(chunk: Sequence[_ToRead]) -> list[Read]:
        return _read_chunk(chunk)

    found = in_chunks(files, workers, here, _read_chunk, done=done) if workers > 1 else None
    if found is None:
        found = []
        for start in range(0, len(files), 64):
            found.extend(_read_chunk(files[start : start + 64]))
            done(min(64, len(files) - start))
    return found
