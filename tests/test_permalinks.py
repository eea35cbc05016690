"""URL patterns (site.yaml `permalinks`, a section's `_index.md`, a document's own `url`), built for real."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from generator.site.errors import BuildFailed
from generator.site.permalinks import Permalinks, exact_path, expand, pattern_problem

from .conftest import DEFAULT_CONFIG, MakeSite, build


def errors_of(site: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        build(site)
    return [str(e) for e in failed.value.errors]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("/:year/:month/:day/:slug/", "2019/05/01/hello/"),
        ("/:year/:slug/", "2019/hello/"),
        ("/blog/:slug/", "blog/hello/"),
        ("/:slug/", "hello/"),
        ("/:year/:month/:day/:title.html", "2019/05/01/hello.html"),
        ("/:section/:slug/", "notes/hello/"),
        ("/:categories/:year/:month/:day/:title.html", "a/b-c/2019/05/01/hello.html"),
        ("pretty", "a/b-c/2019/05/01/hello/"),
    ],
)
def test_patterns_expand(pattern: str, expected: str) -> None:
    date = datetime(2019, 5, 1, 23, 30, tzinfo=UTC)
    assert pattern_problem(pattern) is None
    assert expand(pattern, slug="hello", date=date, section="notes", categories=("A", "b-c")) == expected


def test_an_empty_section_collapses_its_slashes() -> None:
    assert expand("/:section/:slug/", slug="x", date=None, section="") == "x/"


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("/:yaer/:slug/", "unknown token ':yaer'"),
        (":slug/", "starts with '/'"),
        ("/../:slug/", "climbs out"),
    ],
)
def test_bad_patterns_are_named(pattern: str, problem: str) -> None:
    assert problem in (pattern_problem(pattern) or "")


@pytest.mark.parametrize(
    ("url", "path"),
    [("/about/", "about/"), ("about", "about/"), ("/old/x.html", "old/x.html"), ("/a/index.html", "a/"), ("/", None)],
)
def test_exact_paths(url: str, path: str | None) -> None:
    assert exact_path(url) == path


def test_the_most_specific_section_pattern_wins() -> None:
    links = Permalinks.make({"posts": "/:slug/", "blog": "/b/:slug/", "blog/travel": "/t/:slug/"})
    assert links.for_post("blog/travel/europe") == ("/t/:slug/", "permalinks.blog/travel")
    assert links.for_post("blog") == ("/b/:slug/", "permalinks.blog")
    assert links.for_post("blogger") == ("/:slug/", "permalinks.posts")


def test_site_permalinks_place_posts_and_sections(make_site: MakeSite) -> None:
    config = DEFAULT_CONFIG + (
        "timezone: Europe/Oslo\n"
        "permalinks:\n  posts: /:year/:month/:day/:slug/\n  notes: /notes/:slug/\n  pages: /p/:slug/\n"
    )
    site = make_site(
        {
            # 23:30 UTC is the next day in Oslo: the date is the site's.
            "content/posts/hello.md": "---\ntitle: Hello\ndate: 2019-05-01T23:30:00Z\n---\nHi.\n",
            "content/posts/notes/short.md": "---\ntitle: Short\ndate: 2020-01-01\n---\nA note.\n",
            "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
        },
        config=config,
    )
    build(site)
    public = site / "public"
    assert (public / "2019/05/02/hello/index.html").is_file()
    assert (public / "notes/short/index.html").is_file()
    assert (public / "p/about/index.html").is_file()
    assert not (public / "posts").exists()
    home = (public / "index.html").read_text()
    assert 'href="/2019/05/02/hello/"' in home and 'href="/notes/short/"' in home


def test_same_slug_on_different_dates_is_fine_when_the_pattern_separates_them(make_site: MakeSite) -> None:
    config = DEFAULT_CONFIG + "permalinks:\n  posts: /:year/:month/:day/:title.html\n"
    site = make_site(
        {
            "content/posts/2019-01-05-weekly.md": "---\ntitle: Weekly one\n---\nOne.\n",
            "content/posts/2019-1-12-weekly.md": "---\ntitle: Weekly two\n---\nTwo.\n",  # one-digit month
        },
        config=config,
    )
    build(site)
    one = (site / "public/2019/01/05/weekly.html").read_text()
    two = (site / "public/2019/01/12/weekly.html").read_text()
    assert "Weekly one" in one and "Weekly two" in two
    # Each page's neighbour link points at the other one (neighbours are not mixed up by slug).
    assert 'href="/2019/01/05/weekly.html"' in two and 'href="/2019/01/12/weekly.html"' in one


def test_two_posts_with_one_url_name_both_files_and_the_setting(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/a/hello.md": "---\ntitle: A\ndate: 2019-01-01\n---\nx\n",
            "content/posts/b/hello.md": "---\ntitle: B\ndate: 2019-01-01\n---\nx\n",
        }
    )
    (error,) = errors_of(site)
    assert "content/posts/b/hello.md" in error and "content/posts/a/hello.md" in error
    assert "/posts/hello/" in error
    assert "put :section into permalinks.posts (site.yaml" in error


def test_a_documents_own_url_wins(make_site: MakeSite) -> None:
    config = DEFAULT_CONFIG + "permalinks:\n  posts: /:year/:slug/\n"
    site = make_site(
        {
            "content/posts/hugo.md": "---\ntitle: Hugo\ndate: 2019-01-01\nurl: /old/hugo-post/\n---\nx\n",
            "content/posts/jekyll.md": "---\ntitle: J\ndate: 2019-01-01\npermalink: /j/:year/:title/\n---\nx\n",
            "content/posts/zola.md": '+++\ntitle = "Z"\ndate = 2019-01-01\npath = "zola-here"\n+++\nx\n',
            "content/pages/legacy.md": "---\ntitle: Legacy\nurl: /legacy.html\n---\nx\n",
        },
        config=config,
    )
    build(site)
    public = site / "public"
    for rel in ("old/hugo-post/index.html", "j/2019/jekyll/index.html", "zola-here/index.html", "legacy.html"):
        assert (public / rel).is_file(), rel


def test_unknown_tokens_are_errors_at_their_line(make_site: MakeSite) -> None:
    site = make_site({}, config=DEFAULT_CONFIG + "permalinks:\n  posts: /:yaer/:slug/\n")
    (error,) = errors_of(site)
    assert error.startswith("site.yaml:8: permalinks.posts: unknown token ':yaer'")


def test_pages_in_sub_folders_keep_their_folders(make_site: MakeSite) -> None:
    site = make_site({"content/pages/projects/fireside.md": "---\ntitle: Fireside\n---\nx\n"})
    build(site)
    assert (site / "public/projects/fireside/index.html").is_file()


def test_a_file_permalink_keeps_a_post_folders_files_beside_it(make_site: MakeSite) -> None:
    config = DEFAULT_CONFIG + "permalinks:\n  posts: /:year/:slug.html\n"
    site = make_site(
        {
            "content/posts/trip/index.md": "---\ntitle: Trip\ndate: 2019-01-01\n---\n[notes](notes.txt)\n",
            "content/posts/trip/notes.txt": "notes",
        },
        config=config,
    )
    build(site)
    assert (site / "public/2019/trip.html").is_file()
    assert (site / "public/2019/notes.txt").read_text() == "notes"


def test_future_date_tokens_use_the_sites_zone() -> None:
    oslo_evening = datetime(2019, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=1)))
    assert expand("/:year/:slug/", slug="x", date=oslo_evening) == "2019/x/"
