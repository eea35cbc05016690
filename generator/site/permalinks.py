"""URL patterns for posts and pages: site.yaml's `permalinks`, a section's, a document's own.

A pattern is what other generators call a permalink: `/:year/:month/:day/:slug/`. It is
expanded into an output path ("2019/05/01/slug/"): ending in `/` means a folder with an
`index.html`, anything else is the file itself (Jekyll's `/:year/:slug.html`). Patterns are
checked once, when the settings are read, so expanding one never fails.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote

# Every token a pattern may use, and what it stands for (for error messages and the README).
TOKENS: Mapping[str, str] = {
    "year": "the year of the post's date (2019)",
    "month": "its month, two digits (05)",
    "day": "its day, two digits (01)",
    "slug": "the document's slug",
    "title": "the same as :slug (Jekyll's meaning)",
    "section": "the section's folder path under content/posts/ (empty for none)",
    "categories": "the post's categories, lower-cased and joined by '/' (Jekyll's meaning)",
}
_TOKEN = re.compile(r":([A-Za-z_]+)")
_SLASHES = re.compile(r"/{2,}")
# Jekyll's named permalink styles, as Jekyll expands them (its `:output_ext` is .html).
NAMED_STYLES: Mapping[str, str] = {
    "date": "/:categories/:year/:month/:day/:title.html",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "none": "/:categories/:title.html",
}


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be used, or None when it can."""
    if pattern in NAMED_STYLES:
        return None
    if not pattern.startswith("/"):
        return f"a permalink pattern starts with '/', got {pattern!r}"
    unknown = [token for token in _TOKEN.findall(pattern) if token not in TOKENS]
    if unknown:
        known = ", ".join(f":{name}" for name in TOKENS)
        return f"unknown token ':{unknown[0]}' in {pattern!r} (known: {known})"
    if ".." in pattern.split("/") or "\\" in pattern:
        return f"{pattern!r} climbs out of the site"
    return None


def has_tokens(pattern: str) -> bool:
    return _TOKEN.search(pattern) is not None


@dataclass(frozen=True)
class Permalinks:
    """The URL patterns in force: site.yaml's, and sections' own (from their `_index.md`)."""

    posts: str | None = None  # every post without a section pattern; None: /posts/:slug/
    pages: str | None = None  # None: /:slug/ (or the page's folders under content/pages/)
    sections: tuple[tuple[str, str], ...] = ()  # (section path, pattern), most specific first

    @classmethod
    def make(cls, patterns: Mapping[str, str]) -> Permalinks:
        """From site.yaml's `permalinks` (checked already): `posts`, `pages` and section paths."""
        sections = {key.strip("/"): value for key, value in patterns.items() if key not in ("posts", "pages")}
        return cls(patterns.get("posts"), patterns.get("pages"), _most_specific_first(sections))

    def with_sections(self, own: Mapping[str, str]) -> Permalinks:
        """These patterns with sections' own (an `_index.md`'s `permalink`) taking precedence."""
        merged = {**dict(self.sections), **own}
        return Permalinks(self.posts, self.pages, _most_specific_first(merged))

    def for_post(self, section: str) -> tuple[str | None, str]:
        """The pattern for a post of `section`, and the setting it comes from."""
        for key, pattern in self.sections:
            if section == key or section.startswith(key + "/"):
                return pattern, f"permalinks.{key}"
        return self.posts, "permalinks.posts"


def _most_specific_first(sections: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(sections.items(), key=lambda item: (-item[0].count("/"), -len(item[0]), item[0])))


def expand(
    pattern: str,
    *,
    slug: str,
    date: datetime | None,
    section: str = "",
    categories: tuple[str, ...] = (),
) -> str | None:
    """The output path `pattern` gives ("2019/05/01/slug/", "old/x.html"); None if it is the root.

    A dated token without a date expands to nothing; doubled slashes collapse.
    """
    pattern = NAMED_STYLES.get(pattern, pattern)
    values = {
        "year": f"{date.year:04d}" if date else "",
        "month": f"{date.month:02d}" if date else "",
        "day": f"{date.day:02d}" if date else "",
        "slug": slug,
        "title": slug,
        "section": section.strip("/"),
        "categories": "/".join(c.strip("/").lower() for c in categories if c.strip("/")),
    }
    expanded = _TOKEN.sub(lambda match: values.get(match.group(1), match.group(0)), pattern)
    return exact_path(expanded)


def exact_path(url: str) -> str | None:
    """A document's own URL (front matter `url`, `permalink`, `path`) as an output path.

    "/about/" and "about" give "about/"; "/old/x.html" stays a file; "/" is the root,
    which a document may not take (None). Query and fragment are dropped; `..` is refused.
    """
    url = unquote(url.split("#", 1)[0].split("?", 1)[0]).strip()
    if "\\" in url or "\x00" in url or ".." in url.split("/"):
        return None
    collapsed = _SLASHES.sub("/", "/" + url)
    normal = posixpath.normpath(collapsed).lstrip("/")
    if not normal or normal == ".":
        return None
    if collapsed.endswith("/") or "." not in normal.rsplit("/", 1)[-1]:
        return normal + "/"
    if normal.endswith("/index.html"):
        return normal[: -len("index.html")]
    return normal


def tag_alias_problem(pattern: str) -> str | None:
    """Why `pattern`, an old address of every tag's page (`/tag/:slug.html`), cannot be used."""
    if not pattern.startswith("/") or "\\" in pattern or "\x00" in pattern:
        return f"{pattern!r} must be a path from the site's root, like /tag/:slug/"
    if ".." in pattern.split("/"):
        return f"{pattern!r} climbs out of the site"
    unknown = [token for token in _TOKEN.findall(pattern) if token != "slug"]
    if unknown:
        return f"unknown token ':{unknown[0]}' in {pattern!r} (the only one is :slug, the tag's slug)"
    if ":slug" not in pattern:
        return f"{pattern!r} has no :slug: every tag's page would be at the same address"
    # Fireside's own tag page is already there; a redirect to itself would replace it.
    if tag_alias_path(pattern, "x") == "tags/x/":
        return f"{pattern!r} is where Fireside's tag pages are already (/tags/:slug/)"
    if "?" in pattern or "#" in pattern:
        return f"{pattern!r} has a query or fragment: a static file cannot be answered there"
    return None


def tag_slug_problem(slug: str) -> str | None:
    """Why `slug` cannot stand for a tag in an address (site.yaml's `tag_old_slugs`), or None."""
    if not slug or slug in (".", "..") or any(c in slug for c in "/\\?#\x00") or slug != slug.strip():
        return f"{slug!r} is not a slug (one part of an address: no '/', '?', '#' or spaces around it)"
    return None


def tag_alias_path(pattern: str, slug: str) -> str:
    """The output path of a tag's page at an old address: "/tag/:slug.html" → "tag/x.html".

    A pattern ending in `/` (or with no file extension) is a folder with an index.html.
    """
    return exact_path(pattern.replace(":slug", slug)) or ""
