"""Small blogs laid out as each generator lays them out, copied into content/ unchanged.

Each fixture under tests/fixtures/copied/ reproduces what real blogs of that generator
showed (docs/migrating.md, "Copying a blog in unchanged"): it must build, pass `check`
without an error, keep its URLs, and name what it cannot publish as it was.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.check.checker import CheckOptions, run_check

from .conftest import NOW, build

FIXTURES = Path(__file__).parent / "fixtures" / "copied"

# Per fixture: pages that must exist, and the start of each warning that must be given.
EXPECTED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "hugo": (
        ("first-steps/index.html", "first-steps/hearth.png", "second-post/index.html", "2019/06/second/index.html",
         "notes/a-note/index.html", "notes/index.html", "tags/moving/index.html", "tags/life/index.html"),
        ("content/posts/2019-05-01-first-steps/index.md:16: a Hugo shortcode is published as text",
         "content/posts/2019-05-01-first-steps/index.md:7: front matter 'layout' is Jekyll's"),
    ),
    "zola": (
        ("blog/spring/index.html", "blog/summer/index.html", "blog/summer/page2/index.html", "blog/summer/sun.png",
         "blog/index.html", "tags/rust/index.html", "tags/life/index.html"),
        ("content/posts/blog/2020-03-01_spring.md:12: a template value or Zola shortcode is published as text",
         "content/posts/blog/_index.md:3: front matter 'sort_by' is Zola's"),
    ),
    "jekyll": (
        ("meta/tools/2014/06/09/built-with-open-source.html", "2014/06/25/apples.html", "old/built.html",
         "tags/jekyll/index.html", "tags/meta/index.html"),
        ("content/posts/_posts/2014-6-9-built-with-open-source.md:18: a template tag",),
    ),
    "pelican": (
        ("blog/2013/02/16/animating-the-lorenz-system/index.html", "blog/2013/01/01/other/index.html",
         "images/fig.png", "tags/python/index.html"),
        ("content/posts/2013-02-16-lorenz.md:17: a template tag", "content/posts: 1 file neither built nor copied: old-essay.rst"),
    ),
    "eleventy": (
        ("blog/bottle-slider/index.html", "blog/bottle-slider/slider.jpg", "notes/2018-12-02/index.html",
         "blog/modified/index.html", "notes/index.html"),
        ("content/posts/bottle-slider/2017-03-08-index.md:8: a template tag",
         "content/posts: 1 file neither built nor copied: posts.json",
         "content/posts/notes/2018-12-02.md:1: no title in front matter: using 'A small note without a title.'"),
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_copied_blog_builds_keeps_its_urls_and_names_what_it_cannot_publish(tmp_path: Path, name: str) -> None:
    site = tmp_path / name
    shutil.copytree(FIXTURES / name, site)
    for path in site.rglob("*.md"):  # fixed file times: "Last Modified" dates and no mtime guesses
        os.utime(path, (1577836800, 1577836800))  # 2020-01-01
    result = build(site)
    warnings = [str(w) for w in result.warnings]
    pages, expected_warnings = EXPECTED[name]
    for rel in pages:
        assert (site / "public" / rel).is_file(), rel
    for start in expected_warnings:
        assert any(w.startswith(start) for w in warnings), (start, warnings)
    report = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert [str(f) for f in report.errors] == []


def test_what_each_copied_blog_shows(tmp_path: Path) -> None:
    """The pieces that were silently wrong before: bylines, drafts, sections, old links."""
    for name in EXPECTED:
        shutil.copytree(FIXTURES / name, tmp_path / name)
        build(tmp_path / name)
    hugo = tmp_path / "hugo/public"
    assert ">Guest Writer</span>" in (hugo / "second-post/index.html").read_text()
    assert 'href="/second-post/"' in (hugo / "notes/a-note/index.html").read_text()  # not via the redirect
    assert not (hugo / "gone").exists() and "Posts" not in (hugo / "index.html").read_text().split("<main", 1)[1]
    assert "Small things." in (hugo / "notes/index.html").read_text()
    first = (hugo / "first-steps/index.html").read_text()
    assert 'id="tips--tricks"' in first and ">range<" in first  # code is left as written
    zola = tmp_path / "zola/public"
    assert '<a href="/blog/summer/page2/#more">' in (zola / "blog/spring/index.html").read_text()
    assert "Sam Friend" in (zola / "blog/summer/index.html").read_text()
    jekyll = tmp_path / "jekyll/public"
    post = (jekyll / "meta/tools/2014/06/09/built-with-open-source.html").read_text()
    assert '<p class="lead">' in post and 'target="_blank"' in post and "TOC" not in post and "{:" not in post
    assert not any("unfinished" in p.name for p in jekyll.rglob("*"))
    assert 'href="https://guest.example/">Guest</a>' in (jekyll / "2014/06/25/apples.html").read_text()
    pelican = (tmp_path / "pelican/public/blog/2013/02/16/animating-the-lorenz-system/index.html").read_text()
    assert 'href="/blog/2013/01/01/other/"' in pelican and 'src="/images/fig.png"' in pelican
    assert ">Co Author</span>" in pelican
    assert not (tmp_path / "pelican/public/blog/2013/01/02").exists()  # Status: draft
