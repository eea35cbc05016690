"""Heading ids (Fireside's own, or GitHub's for old anchors) and the table of contents.

Fireside's ids are its slugs (unique in a document: `-2`, `-3` for repeats). GitHub's,
which Hugo's default and many other tools follow, keep underscores and every hyphen, drop
other punctuation, and number repeats from `-1`. An id given in the Markdown
(`## Title {#id}`) is kept as written, whatever the style.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from generator.site.model import TocEntry
from generator.site.slugs import slugify, unique_slug

HeadingIds = Callable[[str, set[str]], str]
_WHITESPACE = re.compile(r"\s+")


def fireside_id(title: str, taken: set[str]) -> str:
    return unique_slug(slugify(title, fallback="section"), taken)


def github_id(title: str, taken: set[str]) -> str:
    kept = "".join(ch for ch in title.lower() if ch in " -_" or unicodedata.category(ch)[0] in "LNM")
    base = kept.replace(" ", "-") or "section"
    candidate, number = base, 0
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


def eleventy_id(title: str, taken: set[str]) -> str:
    """markdown-it-anchor's default (Eleventy's usual Markdown): spaces to hyphens, the rest
    kept, percent-encoded as JavaScript's encodeURIComponent does."""
    base = quote(_WHITESPACE.sub("-", title.strip().lower()), safe="-_.!~*'()") or "section"
    candidate, number = base, 0
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


STYLES: dict[str, HeadingIds] = {"fireside": fireside_id, "github": github_id, "eleventy": eleventy_id}


@dataclass
class _Heading:
    level: int
    id: str
    title: str
    children: list[_Heading] = field(default_factory=list)

    def freeze(self) -> TocEntry:
        return TocEntry(self.level, self.id, self.title, tuple(c.freeze() for c in self.children))


def nest_headings(headings: list[tuple[int, str, str]]) -> tuple[TocEntry, ...]:
    """Nest a flat list of (level, id, title): each heading owns the deeper ones after it."""
    roots: list[_Heading] = []
    stack: list[_Heading] = []
    for level, heading_id, title in headings:
        node = _Heading(level, heading_id, title)
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return tuple(node.freeze() for node in roots)
