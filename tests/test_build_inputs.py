"""The content model: every way a writer may bring a post in, built for real."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from generator.check.links import check_output

from .conftest import DEFAULT_CONFIG, MakeSite, build, tree_digest, write_tree

ATOM = "{http://www.w3.org/2005/Atom}"


def page(site: Path, rel: str) -> str:
    return (site / "public" / rel).read_text("utf-8")


def test_yaml_toml_plain_and_jekyll_posts_all_build(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/yaml-post.md": "---\ntitle: From YAML\ndate: 2026-03-01\ntags: [a, b]\n---\nYAML body.\n",
            "content/posts/toml-post.md": '+++\ntitle = "From TOML"\ndate = 2026-03-02\ntags = ["a"]\n+++\nTOML body.\n',
            "content/posts/2026-02-14-old-jekyll-post.md": "# Valentine Thoughts\n\nNo front matter at all.\n",
            "content/posts/bare.md": "Just a first line\n\nand a paragraph.\n",
        }
    )
    os.utime(site / "content/posts/bare.md", (1767225600, 1767225600))  # 2026-01-01, before NOW
    result = build(site)
    assert "From YAML" in page(site, "posts/yaml-post/index.html")
    assert "From TOML" in page(site, "posts/toml-post/index.html")
    jekyll = page(site, "posts/old-jekyll-post/index.html")
    assert "Valentine Thoughts" in jekyll and 'datetime="2026-02-14' in jekyll
    assert jekyll.count(">Valentine Thoughts</h1>") == 1  # the heading became the title, shown once
    assert "Just a first line" in page(site, "posts/bare/index.html")
    warnings = [str(w) for w in result.warnings]
    assert any("2026-02-14-old-jekyll-post.md:1: no title in front matter" in w for w in warnings)
    assert any("bare.md: no date in front matter: using the file's modification time" in w for w in warnings)


def test_drafts_and_future_posts_are_left_out_everywhere(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/live.md": "---\ntitle: Live\ndate: 2026-01-01\ntags: [t]\n---\nHello.\n",
            "content/posts/draft.md": "---\ntitle: Secret Draft\ndate: 2026-01-02\ndraft: true\ntags: [t, d]\n---\nx\n",
            "content/posts/future.md": "---\ntitle: Future Post\ndate: 2027-06-01\ntags: [t, f]\n---\nx\n",
            "content/posts/unpublished.md": "---\ntitle: Jekyll Unpublished\ndate: 2026-01-03\npublished: false\n---\nx\n",
        }
    )
    build(site)
    output = site / "public"
    for path in output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml"):
            text = path.read_text("utf-8")
            for marker in (
                "Secret Draft",
                "Future Post",
                "Jekyll Unpublished",
                "posts/draft",
                "posts/future",
            ):
                assert marker not in text, f"{marker} leaked into {path.relative_to(output)}"
    assert not (output / "tags/d").exists() and not (output / "tags/f").exists()

    build(site, drafts=True, output=site / "preview")
    assert "Secret Draft" in (site / "preview/posts/draft/index.html").read_text()
    assert "Future Post" in (site / "preview/index.html").read_text()


def test_post_folder_copies_its_own_files_beside_the_page(make_site: MakeSite) -> None:
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000003000000020806000000"
        "b8b0b5e40000000d49444154789c63f8ffff3f0300050001ff5a4a05d50000000049454e44ae426082"
    )
    site = make_site(
        {
            "content/posts/trip/index.md": "---\ntitle: Trip\ndate: 2026-01-01\n---\n![A view](view.png)\n\n"
            "[notes](files/notes.txt)\n",
            "content/posts/trip/view.png": png,
            "content/posts/trip/files/notes.txt": "notes",
            "content/posts/trip/.view.png.swp": "editor litter",
        }
    )
    build(site)
    output = site / "public"
    assert (output / "posts/trip/view.png").read_bytes() == png
    assert (output / "posts/trip/files/notes.txt").read_text() == "notes"
    assert not (output / "posts/trip/.view.png.swp").exists()
    html = page(site, "posts/trip/index.html")
    assert 'width="3"' in html and 'height="2"' in html and 'loading="lazy"' in html
    assert check_output(output, "https://example.com/") == []


def test_a_file_in_another_post_folder_is_linked_where_it_is_published(make_site: MakeSite) -> None:
    # Real blogs link a picture kept beside another post: it is published beside that post's
    # page, wherever its permalink put it, so the link is not broken (it was refused as "a
    # file that is not published").
    site = make_site(
        {
            "site.yaml": DEFAULT_CONFIG + "permalinks:\n  posts: /:year/:slug/\n",
            "content/posts/trip/index.md": "---\ntitle: Trip\ndate: 2025-06-01\n---\nThe view.\n",
            "content/posts/trip/view.txt": "a view",
            "content/posts/later/index.md": "---\ntitle: Later\ndate: 2026-01-01\n---\n"
            "As [last year](../trip/view.txt) and [its text](../trip/index.md).\n",
        }
    )
    build(site)
    html = page(site, "2026/later/index.html")
    assert 'href="/2025/trip/view.txt"' in html and 'href="/2025/trip/"' in html
    assert (site / "public/2025/trip/view.txt").read_text() == "a view"
    assert check_output(site / "public", "https://example.com/") == []


def test_links_between_sources_become_urls_under_a_sub_path(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/one.md": "---\ntitle: One\ndate: 2026-01-01\n---\nSee [two](two.md#part) and "
            "[the about page](../pages/about.md) and [a file](/files/x.txt) and [file 2](../static/files/x.txt).\n",
            "content/posts/two.md": "---\ntitle: Two\ndate: 2026-01-02\n---\n## Part\n\nText.\n",
            "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
            "content/static/files/x.txt": "x",
        }
    )
    build(site, base_url="https://example.org/blog/")
    html = page(site, "posts/one/index.html")
    assert 'href="/blog/posts/two/#part"' in html
    assert 'href="/blog/about/"' in html
    assert html.count('href="/blog/files/x.txt"') == 2
    assert check_output(site / "public", "https://example.org/blog/") == []


def test_tags_with_different_spellings_are_one_tag(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/a.md": "---\ntitle: A\ndate: 2026-01-01\ntags: [Slow Web]\n---\nx\n",
            "content/posts/b.md": "---\ntitle: B\ndate: 2026-01-02\ntags: [slow web]\n---\nx\n",
            "content/posts/c.md": "---\ntitle: C\ndate: 2026-01-03\ntags: slow web, letters\n---\nx\n",
        }
    )
    build(site)
    tag_page = page(site, "tags/slow-web/index.html")
    assert all(f">{t}<" in tag_page for t in "ABC")
    feed = ET.parse(site / "public/tags/slow-web/atom.xml").getroot()
    assert len(feed.findall(ATOM + "entry")) == 3
    assert (site / "public/tags/letters/index.html").is_file()


def test_home_is_paginated_and_posts_link_to_neighbours(make_site: MakeSite) -> None:
    posts = {
        f"content/posts/p{i}.md": f"---\ntitle: Post {i}\ndate: 2026-01-0{i}\n---\nBody {i}.\n"
        for i in range(1, 6)
    }
    site = make_site(posts)  # per_page is 2 in the default test config
    build(site)
    output = site / "public"
    assert (output / "page/2/index.html").is_file() and (output / "page/3/index.html").is_file()
    assert not (output / "page/4").exists()
    first = page(site, "index.html")
    assert "Post 5" in first and "Post 4" in first and "Post 3" not in first
    middle = page(site, "posts/p3/index.html")
    assert 'href="/posts/p2/"' in middle and 'href="/posts/p4/"' in middle
    assert check_output(output, "https://example.com/") == []


def test_aliases_redirect_old_urls(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/moved.md": "---\ntitle: Moved\ndate: 2026-01-01\naliases: [/2019/05/old-name/, /old.html]\n"
            "---\nx\n"
        }
    )
    build(site)
    for rel in ("2019/05/old-name/index.html", "old.html"):
        html = page(site, rel)
        assert 'http-equiv="refresh"' in html and "https://example.com/posts/moved/" in html


def test_theme_override_replaces_and_extends_default_templates(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yaml": "title: T\nbase_url: https://example.com/\nauthor: {name: A}\ntheme: mine\n",
            "content/posts/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nx\n",
            "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
            "themes/mine/templates/page.html": '{% extends "default:page.html" %}'
            "{% block content %}<p class=custom>custom {{ page.title }}</p>{{ super() }}{% endblock %}",
            "themes/mine/templates/404.html": "<!doctype html><title>gone</title><p>Entirely mine</p>",
            "themes/mine/static/css/extra.css": "p { color: red }",
        }
    )
    build(site)
    about = page(site, "about/index.html")
    assert "<p class=custom>custom About</p>" in about and "Me." in about and "site-header" in about
    assert page(site, "404.html") == "<!doctype html><title>gone</title><p>Entirely mine</p>"
    assert (site / "public/css/extra.css").is_file() and (site / "public/css/style.css").is_file()
    assert "h-entry" in page(site, "posts/a/index.html")  # untouched templates still come from the default


def test_rebuild_writes_only_what_changed_and_removes_what_is_gone(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nx\n",
            "content/posts/b.md": "---\ntitle: B\ndate: 2026-01-02\n---\ny\n",
        }
    )
    build(site)
    before = tree_digest(site / "public")
    second = build(site)
    assert second.stats.written == 0 and tree_digest(site / "public") == before

    os.remove(site / "content/posts/b.md")
    third = build(site)
    assert not (site / "public/posts/b").exists()
    assert "posts/b/index.html" in third.stats.changed_paths
    assert "posts/a/index.html" in third.stats.changed_paths  # its "newer post" link is gone
    after = tree_digest(site / "public")
    assert after["css/style.css"] == before["css/style.css"]  # same bytes, same mtime


def test_published_letters_show_under_their_post_as_text_never_html(make_site: MakeSite) -> None:
    hostile = "Hello <script>alert(1)</script> & **not bold**\n\n<img src=x onerror=alert(2)>"
    site = make_site(
        {
            "content/posts/essay.md": "---\ntitle: Essay\ndate: 2026-01-01\n---\nWords.\n",
            "content/posts/other.md": "---\ntitle: Other\ndate: 2026-01-02\n---\nMore.\n",
            "content/letters/l1.md": "---\npost: essay\nname: Ada <b>\nreceived: 2026-01-03T10:00:00Z\n"
            "answer: Thank *you*.\n---\n" + hostile + "\n",
        }
    )
    build(site)
    html = page(site, "posts/essay/index.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; **not bold**" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "Ada &lt;b&gt;" in html
    assert "Thank <em>you</em>." in html  # the author's answer is Markdown
    assert "letters-title" not in page(site, "posts/other/index.html")
    manifest = (site / "public/fireside-manifest.json").read_text()
    assert '"id": "essay"' in manifest and '"id": "other"' in manifest


def test_a_letter_without_its_post_field_is_an_error(make_site: MakeSite) -> None:
    import pytest

    from generator.site.errors import BuildFailed

    site = make_site(
        {
            "content/posts/essay.md": "---\ntitle: Essay\ndate: 2026-01-01\n---\nWords.\n",
            "content/letters/l1.md": "---\nname: Ada\nreceived: 2026-01-03T10:00:00Z\n---\nHi\n",
        }
    )
    with pytest.raises(BuildFailed, match=r"content/letters/l1.md:1: a letter needs `post:`"):
        build(site)


def test_stylesheets_and_scripts_are_fingerprinted_and_renamed_when_they_change(make_site: MakeSite) -> None:
    import re

    site = make_site({"content/posts/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nx\n"})
    build(site)
    first = re.findall(r'href="/css/(style\.[0-9a-f]{10}\.css)"', page(site, "posts/a/index.html"))
    assert len(first) == 1 and (site / "public/css" / first[0]).is_file()
    assert (site / "public/css/style.css").is_file()  # the plain name stays, for links written by hand
    assert first[0] in page(site, "index.html") and first[0] in page(site, "404.html")
    write_tree(site, {"themes/default/static/css/style.css": "body { color: black }"})
    build(site)
    second = re.findall(r'href="/css/(style\.[0-9a-f]{10}\.css)"', page(site, "posts/a/index.html"))
    assert second and second != first
    assert not (site / "public/css" / first[0]).exists()
    assert (site / "public/css" / second[0]).read_text() == "body { color: black }"
    assert check_output(site / "public", "https://example.com/") == []
