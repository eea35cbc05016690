"""Slugs: the URL-safe names of posts, tags and heading ids (stdlib only).

Unicode letters are kept (lower-cased, NFKC-normalised) rather than transliterated:
modern browsers and hosts handle them, and an essay titled in Greek or Japanese should
not end up with an empty or meaningless slug. Everything else becomes single hyphens.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_HYPHENS = re.compile(r"-{2,}")


@functools.lru_cache(maxsize=65536)  # tag names and titles recur in every build
def slugify(text: str, *, fallback: str = "untitled") -> str:
    """Return a lower-case slug of `text`: letters, digits and marks joined by single hyphens.

    The result is never empty (`fallback` is used instead), never starts or ends with a
    hyphen, and contains no '/', '.', '\\' or whitespace, so it is safe as one path part.
    """
    normalised = unicodedata.normalize("NFKC", text).casefold()
    # Marks (category M) stay so that scripts written with combining vowels keep their words.
    kept = "".join(ch if unicodedata.category(ch)[0] in "LNM" else "-" for ch in normalised)
    slug = _HYPHENS.sub("-", kept).strip("-")
    return slug or fallback


def unique_slug(base: str, taken: set[str]) -> str:
    """Return `base`, or `base-2`, `base-3`, ... whichever is not in `taken`, and take it."""
    candidate = base
    counter = 2
    while candidate in taken:
        candidate = f"{base}-{counter}"
        counter += 1
    taken.add(candidate)
    return candidate
