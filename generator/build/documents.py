"""From a source file's front matter to validated document metadata.

Accepts the field names writers bring from other generators (Hugo's `lastmod`, `url` and
`expiryDate`, Jekyll's `published: false`, `permalink` and `YYYY-MM-DD-slug.md` names,
Zola's `path` and `[taxonomies]`, Pelican's `Status: draft`) so their posts move in
unchanged; frontmatter.py holds those words. Keys Fireside does not read are kept in
`extra` for templates and named in a warning (see frontmatter.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any

from generator import __version__
from generator.build.content import section_of
from generator.build.dates import FILE_DATE_WORDS, to_datetime
from generator.build.frontmatter import key_note, normalised_keys, people, tag_names_of
from generator.build.placement import document_path
from generator.build.sources import SourceFile, is_bundle_index
from generator.site.errors import ErrorCollector
from generator.site.model import Person
from generator.site.permalinks import Permalinks
from generator.site.slugs import slugify
from generator.site.urls import alias_path

__all__ = ["DocumentMeta", "ReadSettings", "read_meta", "to_datetime"]

# Jekyll's YYYY-MM-DD-slug (one-digit months and days too), Zola's YYYY-MM-DD_slug.
_JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[-_](.+))?$")
_FIRST_LINE_MARKUP = re.compile(r"^[#>*\-+\s]+|[*_`]+")


@dataclass(frozen=True)
class ReadSettings:
    """What a document's metadata depends on besides its file: the site's settings, its sections'."""

    timezone: str = "UTC"
    permalinks: Permalinks = field(default_factory=Permalinks)
    draft_sections: frozenset[str] = frozenset()  # sections whose `_index.md` says `draft: true`
    heading_ids: str = "fireside"  # part of each body's cache key (markup.py's ids)

    def section_is_draft(self, section: str) -> bool:
        return any(s in ("", section) or section.startswith(s + "/") for s in self.draft_sections)


@dataclass(frozen=True)
class DocumentMeta:
    """A document's validated front matter, before its Markdown is rendered."""

    source: SourceFile
    slug: str
    path: str  # output-relative: a folder ("posts/slug/") or a file ("2019/slug.html")
    title: str | None  # from front matter, else the leading `# Heading`, else the first line
    date: datetime | None
    updated: datetime | None
    tag_names: tuple[str, ...]
    summary: str | None  # Markdown from front matter
    description: str | None
    draft: bool
    aliases: tuple[str, ...]  # normalised output paths
    template: str | None
    lang: str | None
    extra: dict[str, Any]
    date_guessed_from: str | None = None
    title_guessed: bool = False  # the title is not from front matter (the build warns)
    strip_heading: bool = False  # the body's leading `# Heading` became the title: not shown twice
    section: str = ""  # the folder under content/posts/ (content/pages/ for a page)
    authors: tuple[Person, ...] = ()
    expires: datetime | None = None  # Hugo's expiryDate: not published from then on
    path_setting: str = ""  # where the path comes from, for the duplicate-URL error
    notes: tuple[tuple[str, int], ...] = ()  # (warning, line) about keys Fireside does not read
    heading_ids: str = "fireside"

    @property
    def kind(self) -> str:
        return self.source.kind

    # Both keys are computed once per metadata object, when it is made; the object itself
    # is reused (and cached with them) for as long as its file is unchanged, so a rebuild
    # of thousands of posts does not hash each of them again. Set in __post_init__ rather
    # than cached on first use: every object then has the same attributes in the same
    # order, which lets Python share one key table between all their dicts.
    body_key: str = field(init=False, repr=False, compare=False)
    front_matter_key: tuple[Any, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "body_key", self._body_key())
        object.__setattr__(self, "front_matter_key", self._front_matter_key())

    def _body_key(self) -> str:
        """What the rendered body is made of: this file's body text, its heading rules, its summary."""
        digest = hashlib.sha256()
        parts = (__version__, str(self.source.rel), self.source.body_digest, str(self.strip_heading))
        for part in (*parts, self.heading_ids, self.summary or "\x00"):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x00\x01")
        return digest.hexdigest()

    def _front_matter_key(self) -> tuple[Any, ...]:
        """The front matter values a document's page depends on (its text is in `body_key`)."""
        return (
            self.slug,
            self.path,
            self.date,
            self.updated,
            self.tag_names,
            self.summary,
            self.description,
            self.draft,
            self.aliases,
            self.template,
            self.lang,
            repr(self.extra),
            self.source.assets,
            self.section,
            self.authors,
            self.expires,
        )


def read_meta(
    source: SourceFile, tz: tzinfo, errors: ErrorCollector, settings: ReadSettings | None = None
) -> DocumentMeta | None:
    """Validate `source.meta`, recording each problem at its line; None if any was found."""
    settings = settings or ReadSettings()
    before = len(errors.errors)
    meta, lines = normalised_keys(source.meta, source.meta_lines)

    def line_of(key: str) -> int:
        return lines.get(key, 1)

    def field_error(key: str, message: str) -> None:
        errors.error(source.rel, line_of(key), f"front matter '{key}': {message}")

    def text(key: str) -> str | None:
        value = meta.get(key)
        if value is None:
            return None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        field_error(key, f"must be text, got {type(value).__name__}")
        return None

    def flag(key: str) -> bool | None:
        value = meta.get(key)
        if isinstance(value, str) and source.front_matter == "pelican":
            value = {"true": True, "false": False}.get(value.strip().lower(), value)
        if value is None or isinstance(value, bool):
            return value
        field_error(key, f"must be true or false, got {value!r}")
        return None

    def moment(key: str) -> datetime | None:
        value = meta.get(key)
        if value is None:
            return None
        parsed = to_datetime(value, tz)
        if parsed is None:
            field_error(key, f"not a date: {value!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)")
        return parsed

    def text_list(key: str, value: Any = None) -> tuple[str, ...]:
        value = meta.get(key) if value is None else value
        if value is None:
            return ()
        if isinstance(value, str):
            # Jekyll and Eleventy allow one string: "a, b" or "a b".
            parts = value.split(",") if "," in value else value.split()
            return tuple(p.strip() for p in parts if p.strip())
        if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
            return tuple(str(v).strip() for v in value if str(v).strip())
        field_error(key, "must be a list of text")
        return ()

    notes = [(note, line_of(str(k).lower())) for k in source.meta if (note := key_note(str(k))) is not None]
    section, in_drafts_folder = section_of(source.rel.as_posix())
    stem_date, stem_slug = _split_stem(source)
    slug_text = text("slug")
    slug = slugify(slug_text) if slug_text else slugify(stem_slug)
    date_key = "date" if "date" in meta else "publishdate"
    date_value, guessed_from = None, None
    if isinstance(meta.get(date_key), str) and meta[date_key].strip().lower() in FILE_DATE_WORDS:
        date_value = datetime.fromtimestamp(source.mtime, tz).replace(microsecond=0)
        guessed_from = f"the file's modification time (for {meta[date_key].strip()!r})"
    else:
        date_value = moment(date_key)
    if date_key in meta and meta[date_key] is None:
        field_error(date_key, "is empty (write a date such as 2026-09-14, or remove the line)")
    if date_value is None and date_key not in meta and source.kind == "post":
        if stem_date is not None:
            date_value = datetime.combine(stem_date, time(), tz)
        else:
            date_value = datetime.fromtimestamp(source.mtime, tz).replace(microsecond=0)
            guessed_from = "the file's modification time"
    updated = moment("updated") or moment("lastmod") or moment("last_modified_at") or moment("modified")
    draft = flag("draft")
    published = flag("published")
    status = text("status")
    if draft is None:
        draft = published is False or (status or "").strip().lower() == "draft"
    draft = draft or in_drafts_folder or settings.section_is_draft(section)
    title = text("title")
    if title is not None and not title.strip():
        title = None  # a note's empty title (Eleventy, micro.blog): guessed from the text, with a warning
    aliases = []
    for key in ("aliases", "redirect_from"):
        for alias in text_list(key):
            normal = alias_path(alias)
            if normal is None:
                field_error(key, f"{alias!r} is not a usable path on this site")
            else:
                aliases.append(normal)
    template = text("template")
    if template is not None and (template.startswith("/") or ".." in template.replace("\\", "/").split("/")):
        field_error("template", f"{template!r} must name a template of the theme")
    tag_names = tag_names_of(meta, text_list, notes, line_of)
    summary, description, lang = text("summary"), text("description"), text("lang")
    authors: tuple[Person, ...] = ()
    for key in ("authors", "author"):
        if meta.get(key) is not None:
            found = people(meta[key], split_text=key == "authors")
            if found is None:
                field_error(key, "must be a name, a list of names, or name/email/url mappings")
            authors = authors or (found or ())
    extra = meta.get("extra")
    if extra is not None and not isinstance(extra, dict):
        field_error("extra", "must be a mapping of keys to values")
    local = date_value.astimezone(tz) if date_value is not None else None
    path, path_setting = document_path(
        source.kind, meta, slug, local, section, settings.permalinks, field_error, notes, line_of
    )
    guessed_title, strip_heading = None, False
    if not title:
        # Without a title in front matter, a leading `# Heading` is the title (shown once,
        # by the template), else the first line is.
        guessed_title, stripped_body = take_leading_heading(source.body)
        strip_heading = guessed_title is not None
        guessed_title = guessed_title or guess_title(stripped_body)
    if len(errors.errors) > before:
        return None
    kept = {k: v for k, v in source.meta.items() if str(k).lower() not in _READ_KEYS}
    return DocumentMeta(
        source=source,
        slug=slug,
        path=path,
        title=title.strip() if title else guessed_title,
        date=date_value,
        updated=updated,
        tag_names=tag_names,
        summary=summary,
        description=description,
        draft=draft,
        aliases=tuple(a for a in dict.fromkeys(aliases) if a != path),  # Zola allows its own URL
        template=template,
        lang=lang,
        extra={**kept, **(extra if isinstance(extra, dict) else {})},
        date_guessed_from=guessed_from,
        title_guessed=not title,
        strip_heading=strip_heading,
        section=section,
        authors=authors,
        expires=moment("expirydate"),
        path_setting=path_setting,
        notes=tuple(notes),
        heading_ids=settings.heading_ids,
    )


# Keys whose values are read into the document's fields (all else goes to `extra`).
_READ_KEYS = frozenset(
    {
        "title", "date", "updated", "lastmod", "last_modified_at", "modified", "publishdate", "expirydate",
        "tags", "categories", "category", "taxonomies", "summary", "description", "draft", "published",
        "status", "slug", "aliases", "redirect_from", "template", "lang", "author", "authors", "url",
        "permalink", "path", "extra",
    }
)  # fmt: skip


def _split_stem(source: SourceFile) -> tuple[date | None, str]:
    """(date, slug) from a file or bundle name; Jekyll's YYYY-MM-DD-slug gives both.

    A post folder's name gives its slug; Eleventy's `2017-03-08-index.md` in it, its date.
    """
    own = Path(source.path).stem
    stem = source.path.parent.name if is_bundle_index(source.path.name) else own
    if stem != own and (dated := _JEKYLL_NAME.match(own)) is not None and _JEKYLL_NAME.match(stem) is None:
        stem = f"{dated[1]}-{dated[2]}-{dated[3]}-{stem}"
    match = _JEKYLL_NAME.match(stem)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])), match[4] or stem  # "2018-12-02.md"
        except ValueError:
            return None, stem
    return None, stem


_ATX_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")


def take_leading_heading(body: str) -> tuple[str | None, str]:
    """If the body opens with a `# Title` line, return that title and the body without it.

    The line is blanked rather than removed so line numbers in later errors stay true.
    """
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = _ATX_H1.match(line)
        if match is None:
            return None, body
        lines[index] = ""
        return match.group(1).strip(), "\n".join(lines)
    return None, body


def guess_title(body: str) -> str | None:
    """The first non-empty line with its Markdown marks removed (when there is no `# Title`)."""
    for line in body.split("\n"):
        cleaned = _FIRST_LINE_MARKUP.sub("", line).strip()
        if cleaned and not cleaned.startswith("<!--"):
            return cleaned[:80]
    return None
