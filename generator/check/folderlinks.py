"""Every link of a built folder checked: each file's links within the site, and the
links out of it (`--external`).

A file's broken links are remembered by its bytes (through the check's memory) and
kept where still true, so a check after a small change follows only the changed
files' links; a link out is asked of its server (external.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from generator.check.external import ExternalSettings, check_urls, is_outbound
from generator.check.folderfacts import FolderFacts
from generator.check.links import LinkChecker, LinkProblem
from generator.check.memory import CheckMemory
from generator.check.pages import Inventory, Problem
from generator.check.trace import link_problem

# A file's broken links as a check found them: (digest of its bytes, the broken links,
# each page it links into with a fragment with the digest of that page's bytes then).
LinkResult = tuple[str, tuple[LinkProblem, ...], tuple[tuple[str, str], ...]]

# <link rel> values that are hints to the browser, not resources a reader is sent to.
_HINT_RELS = frozenset({"preconnect", "dns-prefetch", "prefetch", "preload", "modulepreload", "prerender"})


@dataclass
class LinkMemory:
    """Each file's broken links as the last check found them, to keep where still true: for a
    file whose bytes are the same, in a folder holding the same files, linking with a
    fragment into pages whose bytes are the same (their ids decide).

    Each file's result says itself what it was found against (the digests of the pages it
    anchors into), so that it is never trusted on the word of another record: the memory
    is written in several files, and a check stopped while writing them mixes two checks'.
    """

    files: str  # signature of the folder's file list and the base URL
    digests: Mapping[str, str]  # file → digest of its bytes now
    last: Mapping[str, LinkResult]  # file → what the last check found of its links
    kept: dict[str, LinkResult] = field(default_factory=dict)  # this check's, for the next

    def known(self, rel: str) -> tuple[LinkProblem, ...] | None:
        found = self.last.get(rel)
        if found is None or found[0] != self.digests.get(rel):
            return None
        if any(self.digests.get(page, "") != digest for page, digest in found[2]):
            return None
        return found[1]

    def keep(self, rel: str, broken: tuple[LinkProblem, ...], anchored: set[str]) -> None:
        if rel in self.digests:
            into = tuple((page, self.digests.get(page, "")) for page in sorted(anchored))
            self.kept[rel] = (self.digests[rel], broken, into)


def link_memory(
    folder: Path, files: tuple[str, ...], has_links: bool, base: str, memory: CheckMemory
) -> LinkMemory:
    """What the last check of `folder` found of each file's links, if it held the same files."""
    digests = memory.digests(folder)
    signature = hashlib.sha256(repr((base, files)).encode("utf-8", "surrogatepass")).hexdigest()
    remembered = memory.facts.links.get(str(folder))
    same = remembered is not None and remembered[0] == signature and not has_links
    last = remembered[1] if remembered is not None and same else {}
    return LinkMemory(signature, digests, last)


def link_problems(
    inventory: Inventory, folder: FolderFacts, checker: LinkChecker, memory: LinkMemory
) -> list[Problem]:
    """Every file's broken links within the site (remembered ones kept), each as a problem to trace."""
    found: list[LinkProblem] = []
    kept = memory.kept
    for rel, summary in folder.summaries.items():
        found.extend(summary.problems)
        known = memory.known(rel)
        if known is None:
            fact = folder.facts(rel)
            anchored: set[str] = set()
            if fact.page is not None:
                page_url = checker.page_url(rel)
                base = page_url if not fact.page.base else _joined(page_url, fact.page.base)
                links = [(line, url, base) for line, _, _, url, _ in fact.page.links]
            else:
                links = list(fact.xml_links)
            known = tuple(checker.page_problems(rel, links, anchored))
            memory.keep(rel, known, anchored)
        else:
            kept[rel] = memory.last[rel]
        found.extend(known)
    problems = []
    for link in sorted(found, key=lambda p: (p.page, p.line, p.url)):
        kind = folder.summaries[link.page].xml_kind if link.page in folder.summaries else None
        if kind is not None and (not link.url or kind == "sitemap"):
            continue  # unreadable XML and sitemap entries are reported by the XML checks
        # The facts of a page with a broken link: what the link is (an image, a file...)
        # and, in a feed, the entry it is in, which traces it to a post.
        fact = folder.facts(link.page) if link.page in folder.summaries else None
        entry_url = None
        if fact is not None and fact.xml is not None:
            entry_url = next(
                (e.url for e in fact.xml.entries if e.first_line <= link.line <= e.last_line and e.url), None
            )
        links = fact.page.links if fact is not None and fact.page is not None else ()
        problems.append(link_problem(link, links, checker.base_url, entry_url))
    return problems


def _joined(base: str, href: str) -> str:
    try:
        return urljoin(base, href.strip()) if href.strip() else base
    except ValueError:  # a malformed <base> is ignored, as browsers do
        return base


def external_problems(
    folder: FolderFacts, base_url: str, settings: ExternalSettings
) -> tuple[list[Problem], int]:
    """The links out of the site that do not work, and how many distinct addresses were asked."""
    places: dict[str, list[tuple[str, int]]] = {}
    for rel in folder.pages:
        page = folder.facts(rel).page
        for line, tag, attr, raw, rel_attr in page.links if page is not None else ():
            url = raw.strip()
            hint = tag == "link" and bool(_HINT_RELS & set(rel_attr.split()))
            if not url or hint or attr in ("action", "content"):  # a form's action is not followed
                continue
            url = "https:" + url if url.startswith("//") else url
            if is_outbound(url, base_url):
                places.setdefault(url, []).append((rel, line))
    results = check_urls(places, settings)
    problems = []
    for url, result in sorted(results.items()):
        if result.problem is None:
            continue
        for rel, line in places[url]:
            message = f"external link '{url}' does not work: {result.problem}"
            problems.append(Problem("warning", rel, line, message, needles=(url,)))
    distinct = {url.split("#", 1)[0] for url in results}
    return problems, len(distinct)
