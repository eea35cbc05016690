"""The shape of the published blog: order, tags, archive, pages of lists.

Pure functions over `Post` data; no I/O, no templates. Everything is ordered
deterministically (newest first, then title, then slug) so two builds of the same input
give the same output byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from generator.site.model import Neighbours, Paginator, Post, Tag, TagListing, YearListing

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def newest_first(posts: Sequence[Post]) -> tuple[Post, ...]:
    def key(post: Post) -> tuple[float, str, str]:
        moment = post.date or _EPOCH
        return (-moment.timestamp(), post.title.casefold(), post.slug)

    return tuple(sorted(posts, key=key))


def with_letter_ids(ordered: Sequence[Post]) -> tuple[Post, ...]:
    """The posts, those sharing a slug with another given an inbox id of their own path's words."""
    ids = letter_ids([(post.slug, post.path) for post in ordered])
    return tuple(
        replace(post, inbox_id=letter_id) if letter_id != post.slug else post
        for post, letter_id in zip(ordered, ids, strict=True)
    )


def letter_ids(posts: Sequence[tuple[str, str]]) -> list[str]:
    """What the letter form and the inbox call each (slug, path): its slug, unless several
    posts share it (their URLs tell them apart); then the words of its path."""
    counts: dict[str, int] = {}
    for slug, _ in posts:
        counts[slug] = counts.get(slug, 0) + 1
    return [_path_words(path) if counts[slug] > 1 else slug for slug, path in posts]


def _path_words(path: str) -> str:
    return path.removesuffix(".html").strip("/").replace("/", "-")


def neighbours(ordered: Sequence[Post]) -> dict[str, Neighbours]:
    """For each post's path, the older and newer post in `ordered` (newest first).

    By path, not slug: two posts may share a slug where their URLs tell them apart.
    """
    return {post.path: neighbours_at(ordered, index) for index, post in enumerate(ordered)}


def neighbours_at(ordered: Sequence[Post], index: int) -> Neighbours:
    """The older and newer post of `ordered[index]` (newest first)."""
    return Neighbours(
        older=ordered[index + 1] if index + 1 < len(ordered) else None,
        newer=ordered[index - 1] if index > 0 else None,
    )


def tag_listings(ordered: Sequence[Post]) -> tuple[TagListing, ...]:
    """One listing per tag (by slug), posts newest first, listings sorted by tag name."""
    tags: dict[str, Tag] = {}
    members: dict[str, list[Post]] = {}
    for post in ordered:
        for tag in post.tags:
            tags.setdefault(tag.slug, tag)
            members.setdefault(tag.slug, []).append(post)
    listings = [TagListing(tag=tags[slug], posts=tuple(members[slug])) for slug in tags]
    return tuple(sorted(listings, key=lambda listing: (listing.tag.name.casefold(), listing.tag.slug)))


def year_listings(ordered: Sequence[Post]) -> tuple[YearListing, ...]:
    years: dict[int, list[Post]] = {}
    for post in ordered:
        if post.date is not None:
            years.setdefault(post.date.year, []).append(post)
    return tuple(YearListing(year=year, posts=tuple(years[year])) for year in sorted(years, reverse=True))


def paginate(
    ordered: Sequence[Post], per_page: int, page_urls: Sequence[str]
) -> list[tuple[tuple[Post, ...], Paginator]]:
    """Split `ordered` into pages of `per_page`; `page_urls[i]` is the URL of page i + 1.

    An empty blog still has one (empty) home page.
    """
    chunks = [tuple(ordered[i : i + per_page]) for i in range(0, len(ordered), per_page)] or [()]
    total = len(chunks)
    urls = tuple(page_urls[:total])
    pages = []
    for index, chunk in enumerate(chunks):
        paginator = Paginator(
            number=index + 1,
            total=total,
            urls=urls,
            prev_url=urls[index - 1] if index > 0 else None,
            next_url=urls[index + 1] if index + 1 < total else None,
        )
        pages.append((chunk, paginator))
    return pages


def page_count(post_count: int, per_page: int) -> int:
    return max(1, -(-post_count // per_page))
