"""Tests for generator.build.library: ordering, neighbours, tag and year listings, pagination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from generator.build.library import (
    neighbours,
    newest_first,
    page_count,
    paginate,
    tag_listings,
    year_listings,
)
from generator.site.model import Post, Tag


def tag(name: str, slug: str | None = None) -> Tag:
    slug = slug or name.lower()
    return Tag(name=name, slug=slug, url=f"/tags/{slug}/", permalink=f"https://e.x/tags/{slug}/",
               feed_url=f"/tags/{slug}/atom.xml")


def post(slug: str, date: datetime | None, title: str | None = None, tags: tuple[Tag, ...] = ()) -> Post:
    return Post(
        source=Path(f"content/posts/{slug}.md"),
        slug=slug,
        title=title or slug.title(),
        path=f"posts/{slug}/",
        url=f"/posts/{slug}/",
        permalink=f"https://e.x/posts/{slug}/",
        content="<p>x</p>",
        toc=(),
        description="",
        lang="en",
        template="post.html",
        date=date,
        tags=tags,
    )


def day(d: int, hour: int = 0) -> datetime:
    return datetime(2024, 1, d, hour, tzinfo=UTC)


def slugs(posts: tuple[Post, ...] | list[Post]) -> list[str]:
    return [p.slug for p in posts]


def test_newest_first_orders_by_date_descending() -> None:
    posts = [post("a", day(1)), post("c", day(3)), post("b", day(2, 12))]
    assert slugs(newest_first(posts)) == ["c", "b", "a"]


def test_newest_first_compares_instants_across_time_zones() -> None:
    # 09:00 at +05:00 is 04:00 UTC: earlier than 06:00 UTC.
    east = post("east", datetime(2024, 1, 1, 9, tzinfo=timezone(timedelta(hours=5))))
    utc = post("utc", datetime(2024, 1, 1, 6, tzinfo=UTC))
    assert slugs(newest_first([east, utc])) == ["utc", "east"]


def test_same_date_is_ordered_by_title_case_insensitively_then_slug() -> None:
    posts = [
        post("z-slug", day(5), "beta"),
        post("b-slug", day(5), "Alpha"),
        post("a-slug", day(5), "alpha"),
        post("newer", day(6), "Zed"),
    ]
    assert slugs(newest_first(posts)) == ["newer", "a-slug", "b-slug", "z-slug"]
    assert newest_first(list(reversed(posts))) == newest_first(posts)


def test_posts_without_date_come_last() -> None:
    assert slugs(newest_first([post("undated", None), post("dated", day(1))])) == ["dated", "undated"]


def test_newest_first_of_nothing_is_empty() -> None:
    assert newest_first([]) == ()


def test_neighbours_link_older_and_newer() -> None:
    ordered = newest_first([post("a", day(1)), post("b", day(2)), post("c", day(3))])
    around = neighbours(ordered)
    def pair(slug: str) -> tuple[str | None, str | None]:
        n = around[f"posts/{slug}/"]
        return (n.newer.slug if n.newer else None, n.older.slug if n.older else None)

    assert [pair(s) for s in ("c", "b", "a")] == [(None, "b"), ("c", "a"), ("b", None)]


def test_neighbours_of_a_single_post_are_empty() -> None:
    around = neighbours([post("only", day(1))])
    assert around["posts/only/"].older is None and around["posts/only/"].newer is None


def test_tag_listings_merge_by_slug_and_sort_by_name() -> None:
    life, life_again, art, zed = tag("Life", "life"), tag("life", "life"), tag("art"), tag("Zed")
    ordered = newest_first(
        [
            post("a", day(1), tags=(life,)),
            post("b", day(2), tags=(life_again, zed)),
            post("c", day(3), tags=(art, life)),
        ]
    )
    listings = tag_listings(ordered)
    assert [listing.tag.slug for listing in listings] == ["art", "life", "zed"]
    by_slug = {listing.tag.slug: listing for listing in listings}
    assert slugs(by_slug["life"].posts) == ["c", "b", "a"]  # newest first, one listing for both spellings
    assert by_slug["life"].tag is life  # the tag as the newest post spells it
    assert slugs(by_slug["art"].posts) == ["c"]
    assert slugs(by_slug["zed"].posts) == ["b"]


def test_tag_listings_with_the_same_name_sort_by_slug() -> None:
    listings = tag_listings([post("a", day(1), tags=(tag("C#", "c-sharp"), tag("C#", "c")))])
    assert [listing.tag.slug for listing in listings] == ["c", "c-sharp"]


def test_tag_listings_of_untagged_posts_are_empty() -> None:
    assert tag_listings([post("a", day(1))]) == ()


def test_year_listings_newest_year_first_and_skip_undated() -> None:
    ordered = newest_first(
        [
            post("old", datetime(2022, 12, 31, 23, tzinfo=UTC)),
            post("new", datetime(2024, 1, 1, tzinfo=UTC)),
            post("mid", datetime(2023, 6, 1, tzinfo=UTC)),
            post("mid2", datetime(2023, 1, 1, tzinfo=UTC)),
            post("undated", None),
        ]
    )
    years = year_listings(ordered)
    assert [(y.year, slugs(y.posts)) for y in years] == [
        (2024, ["new"]),
        (2023, ["mid", "mid2"]),
        (2022, ["old"]),
    ]


URLS = ["/", "/page/2/", "/page/3/", "/page/4/"]


def test_paginate_empty_list_gives_one_empty_page() -> None:
    pages = paginate([], 10, URLS)
    assert len(pages) == 1
    chunk, paginator = pages[0]
    assert chunk == ()
    assert (paginator.number, paginator.total, paginator.urls) == (1, 1, ("/",))
    assert (paginator.prev_url, paginator.next_url) == (None, None)


@pytest.mark.parametrize(("count", "per_page", "sizes"), [(4, 2, [2, 2]), (5, 2, [2, 2, 1]), (1, 3, [1]), (3, 3, [3])])
def test_paginate_chunks_in_order(count: int, per_page: int, sizes: list[int]) -> None:
    ordered = newest_first([post(f"p{i}", day(i + 1)) for i in range(count)])
    pages = paginate(ordered, per_page, URLS)
    assert [len(chunk) for chunk, _ in pages] == sizes
    assert [p for chunk, _ in pages for p in chunk] == list(ordered)
    assert all(paginator.total == len(sizes) for _, paginator in pages)
    assert page_count(count, per_page) == len(sizes)


def test_paginate_prev_and_next_urls() -> None:
    ordered = newest_first([post(f"p{i}", day(i + 1)) for i in range(5)])
    pages = paginate(ordered, 2, URLS)
    assert [(p.number, p.prev_url, p.next_url) for _, p in pages] == [
        (1, None, "/page/2/"),
        (2, "/", "/page/3/"),
        (3, "/page/2/", None),
    ]
    assert all(p.urls == ("/", "/page/2/", "/page/3/") for _, p in pages)


@pytest.mark.parametrize(("count", "per_page", "pages"), [(0, 10, 1), (10, 10, 1), (11, 10, 2), (20, 10, 2), (1, 1, 1)])
def test_page_count(count: int, per_page: int, pages: int) -> None:
    assert page_count(count, per_page) == pages
