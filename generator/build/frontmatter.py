"""The words of front matter: what Fireside reads, what other generators wrote, bylines.

Keys are read without regard to case (Hugo's `Title`, Pelican's `Title:`). A key Fireside
does not read is kept for templates in `extra` and named in a warning: with the nearest
key Fireside knows when it looks misspelt, or as another generator's when it is one
(Jekyll's `layout`, Zola's `sort_by`), so nothing is ignored without a word. Keys under
`extra:` are the author's own and never warned about.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.site.model import Person
from generator.site.slugs import slugify

# Every key read_meta reads (lower case), from any generator's spelling.
FIRESIDE_KEYS = frozenset(
    {
        "title",
        "date",
        "updated",
        "lastmod",
        "last_modified_at",
        "modified",
        "publishdate",
        "expirydate",
        "tags",
        "categories",
        "category",
        "taxonomies",
        "summary",
        "description",
        "draft",
        "published",
        "status",
        "slug",
        "aliases",
        "redirect_from",
        "template",
        "lang",
        "author",
        "authors",
        "url",
        "permalink",
        "path",
        "extra",
    }
)
# The keys a writer is pointed to when one looks misspelt (the other spellings read above
# are other generators' names for these).
_SUGGESTED = (
    "title",
    "date",
    "updated",
    "tags",
    "summary",
    "description",
    "draft",
    "slug",
    "aliases",
    "template",
    "lang",
    "author",
    "authors",
    "url",
    "extra",
    "categories",
)
_JEKYLL = "Jekyll"
_HUGO = "Hugo"
_ZOLA = "Zola"
_PELICAN = "Pelican"
_ELEVENTY = "Eleventy"
# Keys other generators (or their popular themes) define that Fireside has no use for.
FOREIGN_KEYS: Mapping[str, tuple[str, ...]] = {
    "layout": (_JEKYLL, _HUGO, _ELEVENTY),
    "excerpt": (_JEKYLL,),
    "excerpt_separator": (_JEKYLL,),
    "comments": (_JEKYLL, _HUGO),
    "share": (_JEKYLL,),
    "image": (_JEKYLL, _PELICAN),
    "header": (_JEKYLL,),
    "sitemap": (_JEKYLL, _HUGO),
    "toc": (_JEKYLL, _HUGO),
    "toc_label": (_JEKYLL,),
    "toc_icon": (_JEKYLL,),
    "toc_sticky": (_JEKYLL,),
    "redirect_to": (_JEKYLL, _ZOLA),
    "render_with_liquid": (_JEKYLL,),
    "classes": (_JEKYLL,),
    "feature": (_JEKYLL,),
    "teaser": (_JEKYLL,),
    "read_time": (_JEKYLL,),
    "related": (_JEKYLL,),
    "author_profile": (_JEKYLL,),
    "sidebar": (_JEKYLL,),
    "hidden": (_JEKYLL, _HUGO),
    "pin": (_JEKYLL,),
    "math": (_JEKYLL, _HUGO),
    "mathjax": (_JEKYLL, _HUGO),
    "katex": (_HUGO,),
    "seo": (_JEKYLL,),
    "subtitle": (_JEKYLL, _HUGO, _PELICAN),
    "keywords": (_JEKYLL, _HUGO, _PELICAN),
    "og_image": (_JEKYLL, _PELICAN),
    "canonical_url": (_JEKYLL,),
    "canonicalurl": (_HUGO,),
    "weight": (_HUGO, _ZOLA),
    "type": (_HUGO,),
    "images": (_HUGO,),
    "series": (_HUGO, _PELICAN),
    "series_index": (_PELICAN,),
    "linktitle": (_HUGO,),
    "menu": (_HUGO,),
    "iscjklanguage": (_HUGO,),
    "markup": (_HUGO,),
    "outputs": (_HUGO,),
    "resources": (_HUGO,),
    "cascade": (_HUGO,),
    "headless": (_HUGO,),
    "build": (_HUGO,),
    "featured_image": (_HUGO,),
    "featuredimage": (_HUGO,),
    "thumbnail": (_HUGO,),
    "cover": (_HUGO, _PELICAN),
    "audio": (_HUGO,),
    "videos": (_HUGO,),
    "showtoc": (_HUGO,),
    "tocopen": (_HUGO,),
    "hidemeta": (_HUGO,),
    "showreadingtime": (_HUGO,),
    "disableshare": (_HUGO,),
    "params": (_HUGO,),
    "translationkey": (_HUGO,),
    "private": (_HUGO,),
    "in_search_index": (_ZOLA,),
    "render": (_ZOLA,),
    "insert_anchor_links": (_ZOLA,),
    "sort_by": (_ZOLA,),
    "paginate_by": (_ZOLA,),
    "paginate_path": (_ZOLA,),
    "paginate_reversed": (_ZOLA,),
    "page_template": (_ZOLA,),
    "transparent": (_ZOLA,),
    "generate_feed": (_ZOLA,),
    "generate_feeds": (_ZOLA,),
    "save_as": (_PELICAN,),
    "translation": (_PELICAN,),
    "javascripts": (_PELICAN,),
    "stylesheets": (_PELICAN,),
    "eleventyexcludefromcollections": (_ELEVENTY,),
    "eleventynavigation": (_ELEVENTY,),
    "eleventycomputed": (_ELEVENTY,),
    "eleventyimport": (_ELEVENTY,),
    "pagination": (_ELEVENTY,),
    "templateengineoverride": (_ELEVENTY,),
    "renderdata": (_ELEVENTY,),
}


def normalised_keys(
    meta: Mapping[str, Any], lines: Mapping[str, int]
) -> tuple[dict[str, Any], dict[str, int]]:
    """Front matter with lower-case keys (the first spelling of a key wins), and their lines."""
    values: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    for key, value in meta.items():
        lower = str(key).lower()
        if lower not in values:
            values[lower] = value
            key_lines[lower] = lines.get(str(key), 1)
    return values, key_lines


def key_note(key: str, *, kept: bool = True) -> str | None:
    """The warning for a front-matter key Fireside does not read (None for one it reads).

    `kept`: the value is kept for templates in the document's `extra` (not so for sections).
    """
    lower = key.lower()
    if lower in FIRESIDE_KEYS:
        return None
    generators = FOREIGN_KEYS.get(lower)
    if generators is not None:
        owners = " and ".join(f"{name}'s" for name in generators)
        where = " (kept for templates in extra)" if kept else ""
        return f"front matter '{key}' is {owners} and not used by Fireside{where}"
    import difflib  # here, where a key is unknown: every build would load it otherwise

    close = difflib.get_close_matches(lower, _SUGGESTED, n=1, cutoff=0.8)
    if close:
        return f"unknown front matter key '{key}' (did you mean '{close[0]}'?)"
    if not kept:
        return f"unknown front matter key '{key}': not used by Fireside"
    return (
        f"unknown front matter key '{key}': kept for templates as extra.{key} "
        "(put keys of your own under `extra:` to silence this)"
    )


def taxonomy_note(name: str) -> str:
    return f"taxonomy '{name}' is not used by Fireside (tags and categories are read as tags)"


def people(value: Any, *, split_text: bool) -> tuple[Person, ...] | None:
    """A byline from `author`/`authors`: text, a {name, email, url} mapping, or a list of them.

    None when the value has no such shape. `split_text`: "A, B" names two people (Pelican's
    `Authors:`); a single `author` is one name even with a comma in it.
    """
    if isinstance(value, str):
        names = value.split(",") if split_text else [value]
        return tuple(Person(name.strip()) for name in names if name.strip())
    if isinstance(value, Mapping):
        person = _person(value)
        return (person,) if person is not None else None
    if isinstance(value, list):
        found: list[Person] = []
        for item in value:
            if isinstance(item, str):
                if item.strip():
                    found.append(Person(item.strip()))
            elif isinstance(item, Mapping) and (person := _person(item)) is not None:
                found.append(person)
            else:
                return None
        return tuple(found)
    return None


def _person(mapping: Mapping[Any, Any]) -> Person | None:
    name = mapping.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    email = mapping.get("email", "")
    url = next((mapping[key] for key in ("url", "uri", "link", "website") if key in mapping), "")
    return Person(name.strip(), str(email or "").strip(), str(url or "").strip())


def tag_names_of(
    meta: dict[str, Any], text_list: Any, notes: list[tuple[str, int]], line_of: Any
) -> tuple[str, ...]:
    """Tags and categories, from any of their spellings, as one list without repeats."""
    names = [*text_list("tags"), *text_list("categories"), *text_list("category")]
    taxonomies = meta.get("taxonomies")
    if isinstance(taxonomies, dict):
        for name, values in taxonomies.items():
            if str(name).lower() in ("tags", "categories"):
                names += text_list("taxonomies", values if values is not None else [])
            else:
                notes.append((taxonomy_note(str(name)), line_of("taxonomies")))
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(slugify(name), name)
    return tuple(seen.values())
