"""The site's content as plain frozen data (no I/O).

Everything the templates see is one of these. URLs are computed once, at build time,
for the base URL in force: `path` is relative to the output root ("posts/slug/"),
`url` is what a page links to (base path included, "/blog/posts/slug/") and
`permalink` is absolute ("https://example.com/blog/posts/slug/").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple


class TocEntry(NamedTuple):
    """A heading in a document's table of contents, with its nested sub-headings.

    A named tuple, not a dataclass: a site holds tens of thousands, in memory and in the
    build cache, and tuples are the lightest to keep, pickle and load.
    """

    level: int
    id: str
    title: str
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class Person:
    """Someone a byline names: a post's author from its front matter."""

    name: str
    email: str = ""
    url: str = ""


@dataclass(frozen=True)
class Document:
    """What posts and pages share: rendered content and where it lives."""

    source: Path  # relative to the site root, for error messages and `check`
    slug: str
    title: str
    path: str  # output-relative directory, e.g. "posts/slug/" or "about/"
    url: str
    permalink: str
    content: str  # rendered HTML
    toc: tuple[TocEntry, ...]
    description: str  # plain text for <meta name=description>
    lang: str
    template: str
    draft: bool = False
    aliases: tuple[str, ...] = ()
    assets: tuple[Path, ...] = ()  # files beside a bundle's index.md, copied beside the page
    authors: tuple[Person, ...] = ()  # its own byline; empty: the site's author
    section: str = ""  # its folder under content/posts/ ("notes", "blog/travel"); "" for none
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Post(Document):
    """A dated essay under content/posts/."""

    date: datetime | None = None
    updated: datetime | None = None
    tags: tuple[Tag, ...] = ()
    summary: str = ""  # rendered HTML
    word_count: int = 0
    reading_minutes: int = 1
    # What the letter form and the inbox call it: "" means its slug, which is unique unless
    # two posts share a slug (their URLs tell them apart); those are named by their paths.
    inbox_id: str = ""

    @property
    def letter_id(self) -> str:
        return self.inbox_id or self.slug


@dataclass(frozen=True)
class Page(Document):
    """A standalone page under content/pages/ (about, now, ...)."""


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    url: str
    permalink: str
    feed_url: str


@dataclass(frozen=True)
class TagListing:
    tag: Tag
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class SectionListing:
    """A section's own list page: the posts under its folder of content/posts/."""

    section: str  # its folder path: "notes", "blog/travel"
    title: str
    description: str
    path: str  # output-relative, e.g. "notes/"
    url: str
    intro: str  # its `_index.md` text, rendered
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class YearListing:
    year: int
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class Paginator:
    number: int  # 1-based
    total: int
    urls: tuple[str, ...]  # the URL of every page, index 0 is page 1
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class Neighbours:
    """Previous (older) and next (newer) posts around one post."""

    older: Post | None
    newer: Post | None


@dataclass(frozen=True)
class Letter:
    """A reader's letter published under a post, with consent."""

    id: str
    post: str  # slug of the post it answers
    name: str  # as the reader allowed: their name, or e.g. "A reader"
    received: datetime
    html: str  # the reader's text, escaped (never their HTML or Markdown)
    answer: str | None  # the author's answer, rendered Markdown
