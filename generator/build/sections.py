"""Sections: the folders under content/posts/, and their `_index.md` settings.

A section's `_index.md` (Hugo's and Zola's name) is never a post. Its front matter may give
the section a `title` and `description`, a `permalink` pattern for its posts (which takes
precedence over site.yaml's for that section), and `draft: true` for all of its posts.
Everything else in it (Zola's `sort_by`, Hugo's `cascade`, ...) is named in a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.build.content import ContentListing, section_of
from generator.build.documents import ReadSettings
from generator.build.frontmatter import key_note, normalised_keys
from generator.build.sources import read_source
from generator.site.config import SiteConfig
from generator.site.errors import ErrorCollector, SiteError
from generator.site.model import Post, SectionListing
from generator.site.permalinks import Permalinks, expand, pattern_problem
from generator.site.urls import UrlScheme

_SECTION_KEYS = frozenset({"title", "description", "permalink", "draft", "extra"})


@dataclass(frozen=True)
class Section:
    path: str  # under content/posts/: "notes", "blog/travel"; "" is content/posts/ itself
    source: Path  # its `_index.md`, relative to the site root
    title: str | None = None
    description: str | None = None
    permalink: str | None = None
    draft: bool = False
    body: str = ""  # Markdown shown above the section's list of posts


# A warning about a key, before warnings of one kind are gathered: (message, file, line).
Note = tuple[str, Path, int]


def read_settings(
    site_root: Path, config: SiteConfig, listing: ContentListing, errors: ErrorCollector
) -> tuple[ReadSettings, dict[str, Section], list[Note]]:
    """The settings every document is read with, the sections found, and notes on their keys."""
    sections: dict[str, Section] = {}
    notes: list[Note] = []
    for path, kind in listing.sections:
        section = _read_section(Path(path), site_root, kind, errors, notes)
        if section is not None and kind == "post":
            sections[section.path] = section
    own = {s.path: s.permalink for s in sections.values() if s.permalink is not None}
    permalinks = Permalinks.make(config.permalinks)
    if "" in own:  # content/posts/_index.md speaks for every post
        permalinks = Permalinks(own.pop(""), permalinks.pages, permalinks.sections)
    settings = ReadSettings(
        timezone=config.timezone,
        permalinks=permalinks.with_sections(own),
        draft_sections=frozenset(s.path for s in sections.values() if s.draft),
        heading_ids=config.markdown.heading_ids,
    )
    return settings, sections, notes


def _read_section(
    path: Path, site_root: Path, kind: str, errors: ErrorCollector, notes: list[Note]
) -> Section | None:
    rel = path.relative_to(site_root)
    source = read_source(path, rel, kind, errors)  # type: ignore[arg-type]
    if source is None:
        return None
    meta, lines = normalised_keys(source.meta, source.meta_lines)
    before = len(errors.errors)

    def text(key: str) -> str | None:
        value = meta.get(key)
        if value is None or isinstance(value, str):
            return value
        errors.error(rel, lines.get(key, 1), f"front matter '{key}': must be text")
        return None

    permalink = text("permalink")
    if permalink is not None and (problem := pattern_problem(permalink)) is not None:
        errors.error(rel, lines.get("permalink", 1), f"front matter 'permalink': {problem}")
    if permalink is not None and kind != "post":
        notes.append(("a section's 'permalink' is only used under content/posts/", rel, lines["permalink"]))
        permalink = None
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        errors.error(
            rel, lines.get("draft", 1), f"front matter 'draft': must be true or false, got {draft!r}"
        )
    for key in source.meta:
        if str(key).lower() in _SECTION_KEYS:
            continue
        note = key_note(str(key), kept=False) or f"front matter '{key}' of a section is not used by Fireside"
        notes.append((note, rel, lines.get(str(key).lower(), 1)))
    if len(errors.errors) > before:
        return None
    section, _ = section_of(rel.as_posix())
    return Section(section, rel, text("title"), text("description"), permalink, draft is True, source.body)


def section_path(section: str, permalinks: Permalinks) -> str | None:
    """Where a section's list page goes: its posts' URL pattern without the post (`/notes/:slug/`
    → "notes/"), when that names the section; else it has none (`/posts/:slug/`)."""
    pattern, _ = permalinks.for_post(section)
    if not section or pattern is None:
        return None
    path = expand(pattern, slug="", date=None, section=section)
    return path if path is not None and path.endswith(section + "/") else None


def section_listings(
    ordered: Sequence[Post],
    folders: Sequence[str],
    sections: dict[str, Section],
    permalinks: Permalinks,
    url_scheme: UrlScheme,
    render: Callable[[str], str],
    unshown: list[SiteError],
) -> tuple[SectionListing, ...]:
    """A list page for every section folder with published posts, posts newest first.

    A section lists the posts of its sub-sections too, as Hugo's and Zola's do. An
    `_index.md` whose text no page shows is added to `unshown`, to be warned about.
    """
    _unshown(sections.get(""), unshown)
    names = sorted({folder for folder in folders if folder})
    listings = []
    for name in names:
        path = section_path(name, permalinks)
        members = tuple(p for p in ordered if p.section == name or p.section.startswith(name + "/"))
        if path is None or not members:
            _unshown(sections.get(name), unshown)
            continue
        own = sections.get(name)
        title = (own.title if own else None) or name.rsplit("/", 1)[-1].replace("-", " ").capitalize()
        intro = render(own.body) if own is not None and own.body.strip() else ""
        description = (own.description if own else None) or ""
        listings.append(SectionListing(name, title, description, path, url_scheme.link(path), intro, members))
    return tuple(listings)


def _unshown(section: Section | None, unshown: list[SiteError]) -> None:
    if section is not None and section.body.strip():
        why = "the home page lists every post" if not section.path else "the section has no list page"
        message = (
            f"its text is shown on no page ({why}; a section's list page is where its posts' "
            "URL pattern names it, e.g. permalinks: {notes: /notes/:slug/})"
        )
        unshown.append(SiteError(section.source, None, message))
