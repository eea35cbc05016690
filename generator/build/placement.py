"""Where a document goes: its own URL, its section's pattern, site.yaml's, or Fireside's.

Its own `url` (Hugo), `permalink` (Jekyll, Eleventy) or `path` (Zola) comes first, with or
without tokens; then the most specific `permalinks` pattern for its section; then
`/posts/:slug/` for posts and the page's folders under content/pages/ for pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from generator.site.permalinks import Permalinks, exact_path, expand, has_tokens, pattern_problem
from generator.site.urls import page_path, post_path


def document_path(
    kind: str,
    meta: dict[str, Any],
    slug: str,
    local: datetime | None,
    section: str,
    permalinks: Permalinks,
    field_error: Callable[[str, str], None],
    notes: list[tuple[str, int]],
    line_of: Callable[[str], int],
) -> tuple[str, str]:
    """The document's output path and the setting it comes from.

    Its own `url` (Hugo), `permalink` (Jekyll, Eleventy) or `path` (Zola) first, with or
    without tokens; else its section's pattern, or site.yaml's; else Fireside's own.
    """
    categories = tuple(str(c) for c in _as_list(meta.get("categories") or meta.get("category")))
    for key in ("url", "permalink", "path"):
        value = meta.get(key)
        if value is None:
            continue
        if value is False and key == "permalink":  # Eleventy: a template that writes no page
            notes.append(
                ("front matter 'permalink: false' (Eleventy) writes no page: built as usual", line_of(key))
            )
            break
        if not isinstance(value, str) or "{{" in value or "{%" in value:
            notes.append((f"front matter '{key}' is a template Fireside cannot run: ignored", line_of(key)))
            break
        if has_tokens(value):
            problem = pattern_problem(value)
            if problem is not None:
                field_error(key, problem)
                return "", key
            found = expand(value, slug=slug, date=local, section=section, categories=categories)
        else:
            found = exact_path(value if key != "path" else "/" + value.lstrip("/"))
        if found is None:
            field_error(key, f"{value!r} is not a usable path on this site")
            return "", key
        return found, f"front matter '{key}'"
    if kind == "post":
        pattern, setting = permalinks.for_post(section)
        if pattern is None:
            return post_path(slug), "permalinks.posts"
        found = expand(pattern, slug=slug, date=local, section=section, categories=categories)
        return found or post_path(slug), setting
    folder = f"{section}/{slug}" if section else slug
    if permalinks.pages is not None:
        found = expand(permalinks.pages, slug=slug, date=local, section=section)
        return found or page_path(folder), "permalinks.pages"
    return page_path(folder), "permalinks.pages"


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",")] if "," in value else value.split()
    return list(value) if isinstance(value, list) else []
