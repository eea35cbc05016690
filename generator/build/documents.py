"""From a source file's front matter to validated document metadata.

Accepts the field names writers bring from other generators (Hugo's `lastmod`, Jekyll's
`published: false` and `YYYY-MM-DD-slug.md` names) so their posts move in unchanged.
Unknown fields are kept in `extra` for templates rather than rejected: front matter is
the author's notebook, and other tools put their own keys there.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any

from generator import __version__
from generator.build.sources import BUNDLE_INDEX, SourceFile
from generator.site.errors import ErrorCollector
from generator.site.slugs import slugify
from generator.site.urls import alias_path, page_path, post_path

_JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_FIRST_LINE_MARKUP = re.compile(r"^[#>*\-+\s]+|[*_`]+")
KNOWN_FIELDS = frozenset(
    {
        "title",
        "date",
        "updated",
        "lastmod",
        "last_modified_at",
        "tags",
        "summary",
        "description",
        "draft",
        "published",
        "slug",
        "aliases",
        "template",
        "lang",
    }
)


@dataclass(frozen=True)
class DocumentMeta:
    """A document's validated front matter, before its Markdown is rendered."""

    source: SourceFile
    slug: str
    path: str  # output-relative directory
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
        """What the rendered body is made of: this file's body text, its heading rule, its summary."""
        digest = hashlib.sha256()
        parts = (__version__, str(self.source.rel), self.source.body_digest, str(self.strip_heading))
        for part in (*parts, self.summary or "\x00"):
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
        )


def read_meta(source: SourceFile, tz: tzinfo, errors: ErrorCollector) -> DocumentMeta | None:
    """Validate `source.meta`, recording each problem at its line; None if any was found."""
    before = len(errors.errors)
    meta = source.meta

    def field_error(key: str, message: str) -> None:
        errors.error(source.rel, source.line_of(key), f"front matter '{key}': {message}")

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

    def text_list(key: str) -> tuple[str, ...]:
        value = meta.get(key)
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

    stem_date, stem_slug = _split_stem(source)
    slug_text = text("slug")
    slug = slugify(slug_text) if slug_text else slugify(stem_slug)
    date_value = moment("date")
    guessed_from = None
    if "date" in meta and meta["date"] is None:
        field_error("date", "is empty (write a date such as 2026-09-14, or remove the line)")
    if date_value is None and "date" not in meta and source.kind == "post":
        if stem_date is not None:
            date_value = datetime.combine(stem_date, time(), tz)
        else:
            date_value = datetime.fromtimestamp(source.mtime, tz).replace(microsecond=0)
            guessed_from = "the file's modification time"
    updated = moment("updated") or moment("lastmod") or moment("last_modified_at")
    draft = flag("draft")
    published = flag("published")
    if draft is None:
        draft = published is False
    title = text("title")
    if title is not None and not title.strip():
        field_error("title", "is empty")
    aliases = []
    for alias in text_list("aliases"):
        normal = alias_path(alias)
        if normal is None:
            field_error("aliases", f"{alias!r} is not a usable path on this site")
        else:
            aliases.append(normal)
    template = text("template")
    if template is not None and (template.startswith("/") or ".." in template.replace("\\", "/").split("/")):
        field_error("template", f"{template!r} must name a template of the theme")
    tag_names, summary, description, lang = (
        text_list("tags"),
        text("summary"),
        text("description"),
        text("lang"),
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
    return DocumentMeta(
        source=source,
        slug=slug,
        path=post_path(slug) if source.kind == "post" else page_path(slug),
        title=title.strip() if title else guessed_title,
        date=date_value,
        updated=updated,
        tag_names=tag_names,
        summary=summary,
        description=description,
        draft=draft,
        aliases=tuple(aliases),
        template=template,
        lang=lang,
        extra={k: v for k, v in meta.items() if k not in KNOWN_FIELDS},
        date_guessed_from=guessed_from,
        title_guessed=not title,
        strip_heading=strip_heading,
    )


def to_datetime(value: Any, tz: tzinfo) -> datetime | None:
    """A YAML/TOML date, datetime or ISO string as an aware datetime (naive ones in `tz`)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        candidate = value.strip().replace(" ", "T", 1)
        if candidate.endswith("Z"):
            candidate = candidate[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(candidate)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def _split_stem(source: SourceFile) -> tuple[date | None, str]:
    """(date, slug) from a file or bundle name; Jekyll's YYYY-MM-DD-slug gives both."""
    stem = source.path.parent.name if source.path.name == BUNDLE_INDEX else Path(source.path).stem
    match = _JEKYLL_NAME.match(stem)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])), match[4]
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
