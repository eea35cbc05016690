"""Front matter as other generators' writers really write it, built for real."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from generator.build.dates import to_datetime
from generator.build.documents import read_meta
from generator.build.sources import read_source
from generator.site.errors import ErrorCollector

from .conftest import DEFAULT_CONFIG, MakeSite, build

ATOM = "{http://www.w3.org/2005/Atom}"


def warnings_of(result: object) -> list[str]:
    return [str(w) for w in result.warnings]  # type: ignore[attr-defined]


def read(tmp_path: Path, text: str, name: str = "posts/x.md") -> tuple[object, list[str], list[str]]:
    path = tmp_path / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    errors = ErrorCollector()
    source = read_source(path, Path("content") / name, "post", errors)
    assert source is not None
    meta = read_meta(source, UTC, errors)
    return meta, [str(e) for e in errors.errors], [m for m, _ in getattr(meta, "notes", ())]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2013-11-22 5:00:00 +0000", datetime(2013, 11, 22, 5, tzinfo=UTC)),
        ("2013-11-22T05:00:00Z", datetime(2013, 11, 22, 5, tzinfo=UTC)),
        ("2013-11-22 05:00", datetime(2013, 11, 22, 5, tzinfo=UTC)),
        ("2013-11-22", datetime(2013, 11, 22, tzinfo=UTC)),
        ("2013-1-5", datetime(2013, 1, 5, tzinfo=UTC)),
        ("2013/11/22 13:37", datetime(2013, 11, 22, 13, 37, tzinfo=UTC)),
        ("2013-11-22 05:00:00.123456789 +01:00", datetime(2013, 11, 22, 5, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))),
        ("Fri, 22 Nov 2013 05:00:00 -0500", datetime(2013, 11, 22, 5, tzinfo=timezone(timedelta(hours=-5)))),
    ],
)
def test_dates_as_lenient_as_their_generators(value: str, expected: datetime) -> None:
    assert to_datetime(value, UTC) == expected


def test_bylines_in_the_page_the_feed_and_the_h_entry(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/guest.md": "---\ntitle: Guest\ndate: 2020-01-01\nauthor: Ada Guest\n---\nx\n",
            "content/posts/pair.md": (
                "---\ntitle: Pair\ndate: 2020-01-02\nauthors:\n  - name: Bo\n    url: https://bo.example/\n"
                "    email: bo@example.com\n  - Cy\n---\nx\n"
            ),
            "content/posts/mine.md": "---\ntitle: Mine\ndate: 2020-01-03\nauthor: Test Author\n---\nx\n",
            "content/posts/pelican.md": "Title: Pelican\nDate: 2020-01-04\nAuthors: Di, Ed\n\nx\n",
        }
    )
    build(site)
    public = site / "public"
    guest = (public / "posts/guest/index.html").read_text()
    assert '<span class="p-author h-card">Ada Guest</span>' in guest
    assert '<meta property="article:author" content="Ada Guest">' in guest
    assert "Test Author</a></span>" not in guest.split('class="byline"', 1)[1].split("</p>", 1)[0]
    pair = (public / "posts/pair/index.html").read_text()
    assert '<a class="p-author h-card" href="https://bo.example/">Bo</a> and <span class="p-author h-card">Cy</span>' in pair
    pelican = (public / "posts/pelican/index.html").read_text()
    assert ">Di</span> and <span" in pelican
    mine = (public / "posts/mine/index.html").read_text()
    assert 'by <a class="p-author h-card" href="/">Test Author</a>' in mine  # the site's author, as before
    feed = ET.parse(public / "atom.xml").getroot()
    authors = {
        entry.findtext(f"{ATOM}title"): [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")]
        for entry in feed.findall(f"{ATOM}entry")
    }
    assert authors == {"Guest": ["Ada Guest"], "Pair": ["Bo", "Cy"], "Mine": [], "Pelican": ["Di", "Ed"]}


def test_categories_taxonomies_and_pelican_category_are_tags(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/j.md": "---\ntitle: J\ndate: 2020-01-01\ntags: [a]\ncategories: [Life, a]\n---\nx\n",
            "content/posts/z.md": (
                '+++\ntitle = "Z"\ndate = 2020-01-02\n[taxonomies]\ntags = ["rust"]\ncategories = ["Code"]\n'
                'series = ["s"]\n+++\nx\n'
            ),
            "content/posts/p.md": "Title: P\nDate: 2020-01-03\nCategory: Travel\nTags: sea, sun\n\nx\n",
            "content/posts/h.md": "---\nTitle: H\nDate: 2020-01-04\nTags: [Hugo]\n---\nx\n",
        }
    )
    result = build(site)
    tags = {p.name for p in (site / "public/tags").iterdir() if p.is_dir()}
    assert tags == {"a", "life", "rust", "code", "travel", "sea", "sun", "hugo"}
    assert "H</h1>" in (site / "public/posts/h/index.html").read_text()  # Hugo's capitalised keys
    assert any("taxonomy 'series' is not used by Fireside" in w for w in warnings_of(result))


def test_pelican_header_is_front_matter(tmp_path: Path) -> None:
    text = (
        "Title: My super title\nDate: 2010-12-03 10:20\nModified: 2010-12-05 19:30\nCategory: Python\n"
        "Tags: pelican, publishing\nSlug: my-super-post\nAuthors: Alexis Metaireau, Conan Doyle\n"
        "Summary: Short version\n  continued here\nStatus: draft\n\nThis is the content.\n"
    )
    meta, errors, _ = read(tmp_path, text)
    assert errors == []
    assert meta.title == "My super title" and meta.slug == "my-super-post"  # type: ignore[attr-defined]
    assert meta.date == datetime(2010, 12, 3, 10, 20, tzinfo=UTC)  # type: ignore[attr-defined]
    assert meta.updated == datetime(2010, 12, 5, 19, 30, tzinfo=UTC)  # type: ignore[attr-defined]
    assert meta.tag_names == ("pelican", "publishing", "Python")  # type: ignore[attr-defined]
    assert [p.name for p in meta.authors] == ["Alexis Metaireau", "Conan Doyle"]  # type: ignore[attr-defined]
    assert meta.summary == "Short version continued here" and meta.draft  # type: ignore[attr-defined]
    assert meta.source.body == "This is the content.\n"  # type: ignore[attr-defined]
    assert meta.source.body_line == 12  # type: ignore[attr-defined]


def test_prose_that_starts_like_a_header_is_prose(tmp_path: Path) -> None:
    meta, errors, _ = read(tmp_path, "Note: this is prose.\n\nMore.\n")
    assert errors == [] and meta.source.front_matter is None  # type: ignore[attr-defined]


def test_yaml_closed_by_three_dots(tmp_path: Path) -> None:
    meta, errors, _ = read(tmp_path, "---\ntitle: Dots\ndate: 2020-01-01\n...\nBody.\n")
    assert errors == [] and meta.title == "Dots"  # type: ignore[attr-defined]
    assert meta.source.body == "Body.\n"  # type: ignore[attr-defined]


def test_unknown_keys_name_the_nearest_and_other_generators(tmp_path: Path) -> None:
    meta, errors, notes = read(
        tmp_path, "---\ntitel: X\ndate: 2020-01-01\nlayout: post\nmood: calm\nextra: {x: 1}\n---\nBody\n"
    )
    assert errors == []
    assert "unknown front matter key 'titel' (did you mean 'title'?)" in notes
    assert any(n.startswith("front matter 'layout' is Jekyll's and Hugo's and Eleventy's") for n in notes)
    assert any(n.startswith("unknown front matter key 'mood': kept for templates as extra.mood") for n in notes)
    assert not any("'extra'" in n or "'x'" in n for n in notes)
    assert meta.extra == {"titel": "X", "layout": "post", "mood": "calm", "x": 1}  # type: ignore[attr-defined]


def test_one_warning_per_key_however_many_files_have_it(make_site: MakeSite) -> None:
    files = {f"content/posts/p{n}.md": f"---\ntitle: P{n}\ndate: 2020-01-0{n}\nlayout: post\n---\nx\n" for n in range(1, 6)}
    files["content/posts/odd.md"] = "---\ntitle: Odd\ndate: 2020-02-01\nsumary: typo\n---\nx\n"
    warnings = warnings_of(build(make_site(files)))
    layout = [w for w in warnings if "'layout'" in w]
    assert layout == [
        "content/posts/p1.md:4: front matter 'layout' is Jekyll's and Hugo's and Eleventy's and not used by "
        "Fireside (kept for templates in extra) (also in 4 other files)"
    ]
    assert "content/posts/odd.md:4: unknown front matter key 'sumary' (did you mean 'summary'?)" in warnings


def test_hugo_dates_drafts_and_expiry(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/live.md": "---\ntitle: Live\ndate: 2020-01-01\nlastmod: 2020-02-01\n---\nx\n",
            "content/posts/gone.md": "---\ntitle: Gone Post\ndate: 2020-01-01\nexpiryDate: 2021-01-01\n---\nx\n",
            "content/posts/later.md": "---\ntitle: Later\ndate: 2020-01-01\nexpiryDate: 2099-01-01\n---\nx\n",
            "content/posts/draft.md": "---\ntitle: Drafty\ndate: 2020-01-01\ndraft: true\n---\nx\n",
            "content/posts/eleventy.md": "---\ntitle: Eleventy\ndate: Last Modified\n---\nx\n",
        }
    )
    os.utime(site / "content/posts/eleventy.md", (1577836800, 1577836800))  # 2020-01-01
    result = build(site)
    public = site / "public"
    assert 'datetime="2020-02-01' in (public / "posts/live/index.html").read_text()
    assert not (public / "posts/gone").exists() and (public / "posts/later/index.html").is_file()
    assert not (public / "posts/draft").exists()
    assert (public / "posts/eleventy/index.html").is_file()
    assert any("eleventy.md: no date in front matter: using the file's modification time" in w for w in warnings_of(result))


def test_a_missing_template_is_a_warning_and_the_default_is_used(make_site: MakeSite) -> None:
    site = make_site({"content/posts/x.md": "---\ntitle: X\ndate: 2020-01-01\ntemplate: blog-page.html\n---\nx\n"})
    result = build(site)
    assert "content/posts/x.md:4: the theme has no template 'blog-page.html': post.html is used" in warnings_of(result)
    assert 'class="h-entry post"' in (site / "public/posts/x/index.html").read_text()


def test_redirect_from_and_aliases_both_redirect(make_site: MakeSite) -> None:
    site = make_site(
        {"content/posts/x.md": "---\ntitle: X\ndate: 2020-01-01\nredirect_from: [/old/x/]\naliases: /older/x.html\n---\nx\n"}
    )
    build(site)
    assert "/posts/x/" in (site / "public/old/x/index.html").read_text()
    assert "/posts/x/" in (site / "public/older/x.html").read_text()


def test_zola_extra_is_kept_for_templates(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/z.md": '+++\ntitle = "Z"\ndate = 2020-01-01\n[extra]\nmood = "calm"\n+++\nx\n',
            "themes/default/templates/post.html": '{% extends "default:post.html" %}{% block head %}<meta name="mood" content="{{ post.extra.mood }}">{% endblock %}',
        },
        config=DEFAULT_CONFIG,
    )
    result = build(site)
    assert '<meta name="mood" content="calm">' in (site / "public/posts/z/index.html").read_text()
    assert not any("extra" in w for w in warnings_of(result))


def test_a_list_template_or_own_url_alias_is_no_trouble(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/pages/arch.md": '+++\ntitle = "Archive"\ntemplate = "archive.html"\n+++\nx\n',
            "content/posts/vim.md": '+++\ntitle = "Vim"\ndate = 2020-01-01\naliases = ["posts/vim"]\n+++\nx\n',
        }
    )
    result = build(site)
    assert "content/pages/arch.md:3: 'archive.html' is the theme's template for lists, not documents: page.html is used" in warnings_of(result)
    assert (site / "public/posts/vim/index.html").is_file()
