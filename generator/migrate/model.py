"""What an import is made of, as plain data: documents, files, letters and leftovers.

A source generator's module reads its site into these; the shared modules refine them
(URLs, links, leftovers) and `destination` writes them. Paths inside a plan are POSIX
strings relative to the destination site's root (`content/posts/x.md`), so a plan never
depends on where it will be written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

Kind = Literal["post", "page"]
KINDS = ("jekyll", "hugo", "zola", "pelican", "eleventy", "wordpress")


@dataclass(frozen=True)
class Leftover:
    """Something the import could not convert, and where the author finds it."""

    path: str  # in the new site (content/posts/x.md), or in the source for what was not imported
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@dataclass
class Document:
    """One post or page, as it will be written under content/.

    Mutable while the plan is made (URL planning sets `meta["url"]`, `meta["aliases"]`);
    frozen in spirit once handed to `destination`.
    """

    kind: Kind
    dest: str  # relative to the site root: "content/posts/notes/x.md", "content/pages/about.md"
    source: str  # relative to the source folder, for messages
    meta: dict[str, Any]  # Fireside front matter, in the order it is written
    body: str
    old_url: str | None = None  # the old site path without the base path: "2010/05/x/", "about.html"
    old_aliases: tuple[str, ...] = ()  # further old site paths that must answer
    date: datetime | None = None  # as the build will read it (aware), for `:year` and the like
    section: str = ""  # the folder under content/posts/ ("" for none)
    reasons: dict[str, str] = field(default_factory=dict)  # leftover tag text → why it stays
    source_meta: dict[str, Any] = field(default_factory=dict)  # the front matter as the source wrote it
    # What a converter left in place: (the text as it stands in the body, why), found at render.
    body_leftovers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def group(self) -> str:
        """The key of the permalink setting this document follows."""
        if self.kind == "page":
            return "pages"
        return self.section or "posts"


@dataclass(frozen=True)
class CopiedFile:
    """A file of the new site copied from the source (`source`) or written from `data`."""

    dest: str  # relative to the site root: "content/static/img/x.png"
    source: Path | None = None
    data: bytes | None = None
    old_url: str | None = None  # the site path it answered at before, if any

    def source_label(self) -> str:
        return self.source.name if self.source is not None else self.dest


@dataclass
class Letter:
    """A reader's comment on the old site. One that was public there and answers a published
    post becomes a published letter (content/letters/<id>.md); one awaiting approval an
    unanswered letter in the inbox; a public one on a page or draft, which shows no
    letters, an archived one in the inbox."""

    id: str  # an inbox id: its UTC time and 8 hex digits
    doc: Document  # the post it answers
    name: str
    email: str
    received: datetime  # UTC
    message: str  # plain text
    approved: bool  # public on the old site
    answer: str = ""  # the author's reply on the old site, if any


@dataclass(frozen=True)
class SiteSettings:
    """What the new site.yaml says, from the source's own configuration."""

    title: str
    base_url: str  # absolute, ends with "/"
    author_name: str
    author_email: str = ""
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    timezone_note: str = ""  # why that zone, when it was inferred
    menu: tuple[tuple[str, str], ...] = ()  # (title, url)
    heading_ids: str = ""  # "github" where old anchors were GitHub-style ids (Hugo, kramdown)


@dataclass
class ImportPlan:
    """Everything one import writes, before anything is written."""

    kind: str
    settings: SiteSettings
    documents: list[Document] = field(default_factory=list)
    files: list[CopiedFile] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)
    permalinks: dict[str, str] = field(default_factory=dict)
    # A section's settings and the text shown above its list (its `_index.md`), by section path.
    sections: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)
    leftovers: list[Leftover] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the author should know, not tied to a line
    hosts: set[str] = field(default_factory=set)  # the old site's host names, without "www."
    redirects: list[tuple[str, str]] = field(default_factory=list)  # the old host's (from, to)
    feeds: list[str] = field(default_factory=list)  # site paths of the old site's feeds
    tag_aliases: list[str] = field(default_factory=list)  # where its tag pages were: "/tag/:slug/"
    # A tag's old slug → the one Fireside makes from its name, where the two differ.
    tag_old_slugs: dict[str, str] = field(default_factory=dict)

    def leftover(self, path: str, line: int | None, message: str) -> None:
        self.leftovers.append(Leftover(path, line, message))
