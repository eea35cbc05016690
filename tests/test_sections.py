"""Sections: folders under content/posts/, their `_index.md`, and files the build does not build."""

from __future__ import annotations

from .conftest import DEFAULT_CONFIG, MakeSite, build


def warnings_of(result: object) -> list[str]:
    return [str(w) for w in result.warnings]  # type: ignore[attr-defined]


def test_posts_in_section_folders_are_built_not_skipped(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/top.md": "---\ntitle: Top\ndate: 2020-01-01\n---\nx\n",
            "content/posts/notes/a.md": "---\ntitle: Note A\ndate: 2020-01-02\n---\nx\n",
            "content/posts/blog/travel/b.md": "---\ntitle: Deep B\ndate: 2020-01-03\n---\nx\n",
            "content/posts/blog/travel/trip/index.md": "---\ntitle: Trip Folder\ndate: 2020-01-04\n---\nx\n",
        }
    )
    build(site)
    public = site / "public"
    for slug in ("top", "a", "b", "trip"):
        assert (public / f"posts/{slug}/index.html").is_file(), slug
    archive = (public / "archive/index.html").read_text()
    assert all(title in archive for title in ("Top", "Note A", "Deep B", "Trip Folder"))


def test_index_md_is_a_sections_settings_never_a_post(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/_index.md": '+++\ntitle = "Blog"\nsort_by = "date"\npaginate_by = 5\n+++\n',
            "content/posts/notes/_index.md": "---\ntitle: Notes\npermalink: /notes/:year/:slug/\n---\nAbout notes.\n",
            "content/posts/notes/n.md": "---\ntitle: N\ndate: 2021-03-04\n---\nx\n",
            "content/posts/drafts-here/_index.md": "---\ndraft: true\n---\n",
            "content/posts/drafts-here/d.md": "---\ntitle: Hidden Section Post\ndate: 2021-03-04\n---\nx\n",
        }
    )
    result = build(site)
    public = site / "public"
    assert (public / "notes/2021/n/index.html").is_file()
    assert not (public / "posts/index").exists() and not (public / "posts/_index").exists()
    home = (public / "index.html").read_text()
    assert "Blog" not in home.split("<main", 1)[1] and "Hidden Section Post" not in home
    warnings = warnings_of(result)
    assert any(
        w == "content/posts/_index.md:3: front matter 'sort_by' is Zola's and not used by Fireside"
        for w in warnings
    ), warnings
    build(site, drafts=True, output=site / "preview")
    assert (site / "preview/posts/d/index.html").is_file()


def test_site_yaml_pattern_and_index_md_pattern_the_section_one_wins(make_site: MakeSite) -> None:
    config = DEFAULT_CONFIG + "permalinks:\n  notes: /n/:slug/\n"
    site = make_site(
        {
            "content/posts/notes/_index.md": "---\npermalink: /notes/:slug/\n---\n",
            "content/posts/notes/x.md": "---\ntitle: X\ndate: 2021-01-01\n---\nx\n",
        },
        config=config,
    )
    build(site)
    assert (site / "public/notes/x/index.html").is_file()


def test_jekyll_posts_and_drafts_folders(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/_posts/2020-02-03-hello.md": "---\ntitle: Hello\n---\nx\n",
            "content/posts/_drafts/not-yet.md": "---\ntitle: Not Yet\ndate: 2020-02-04\n---\nx\n",
        },
        config=DEFAULT_CONFIG + "permalinks:\n  posts: /:section/:year/:slug/\n",
    )
    build(site)
    assert (site / "public/2020/hello/index.html").is_file()  # `_posts` adds no section
    assert not (site / "public/2020/not-yet").exists()


def test_files_the_build_does_not_build_are_named(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/ok.md": "---\ntitle: Ok\ndate: 2020-01-01\n---\nx\n",
            "content/posts/old-post.html": "<p>an HTML post</p>",
            "content/posts/essay.rst": "Essay\n=====\n",
            "content/posts/notes/readme.txt": "notes",
            "content/about.md": "---\ntitle: About\n---\n",
            "content/blog/one.md": "---\ntitle: One\n---\n",
            "content/blog/two.md": "---\ntitle: Two\n---\n",
            "content/static/file.txt": "copied, not warned about",
        }
    )
    warnings = warnings_of(build(site))
    posts = next(w for w in warnings if w.startswith("content/posts: "))
    assert "essay.rst, old-post.html" in posts and "HTML" in posts and "reStructuredText" in posts
    assert any(w.startswith("content/posts/notes: 1 file neither built nor copied: readme.txt") for w in warnings)
    top = next(w for w in warnings if w.startswith("content: "))
    assert "about.md" in top and "blog/ (2 files)" in top
    assert not any("file.txt" in w for w in warnings)


def test_other_markdown_in_a_post_folder_is_a_page_of_its_own(make_site: MakeSite) -> None:
    """Zola: `100-binaries/index.md` and `100-binaries/page2.md` are two pages."""
    site = make_site(
        {
            "content/posts/2020/list/index.md": "+++\ntitle = \"List\"\ndate = 2020-01-01\n+++\n[next](@/posts/2020/list/page2.md)\n",
            "content/posts/2020/list/page2.md": "+++\ntitle = \"List, page 2\"\ndate = 2020-01-02\n+++\nMore.\n",
            "content/posts/2020/list/a.png": "image",
        },
        config=DEFAULT_CONFIG + "permalinks:\n  posts: /:section/:slug/\n",
    )
    build(site)
    public = site / "public"
    assert '<a href="/2020/list/page2/">next</a>' in (public / "2020/list/index.html").read_text()
    assert (public / "2020/list/page2/index.html").is_file()
    assert (public / "2020/list/a.png").is_file() and not (public / "2020/list/page2.md").exists()


def test_eleventy_dated_index_files_are_post_folders(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/bottle-slider/2017-03-08-index.md": "---\ntitle: Slider\n---\n![s](slider.jpg)\n",
            "content/posts/bottle-slider/slider.jpg": "image",
            "content/posts/notes/2018-12-02.md": "---\ntitle: \"\"\n---\nA note without a title.\n",
        }
    )
    result = build(site)
    page = (site / "public/posts/bottle-slider/index.html").read_text()
    assert 'datetime="2017-03-08' in page and (site / "public/posts/bottle-slider/slider.jpg").is_file()
    note = (site / "public/posts/2018-12-02/index.html").read_text()
    assert 'datetime="2018-12-02' in note and "A note without a title." in note
    assert any("2018-12-02.md:1: no title in front matter" in w for w in warnings_of(result))


def test_a_section_has_a_list_page_where_its_pattern_puts_it(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/notes/_index.md": "---\ntitle: Short Notes\ndescription: Small things.\n---\nNotes *to self*.\n",
            "content/posts/notes/a.md": "---\ntitle: Note A\ndate: 2020-01-02\n---\nx\n",
            "content/posts/notes/deep/b.md": "---\ntitle: Note B\ndate: 2020-01-03\n---\nx\n",
            "content/posts/essays/c.md": "---\ntitle: Essay C\ndate: 2020-01-04\n---\nx\n",
            "content/posts/top.md": "---\ntitle: Top\ndate: 2020-01-05\n---\nx\n",
        },
        config=DEFAULT_CONFIG + "permalinks:\n  posts: /:slug/\n  notes: /notes/:slug/\n",
    )
    build(site)
    public = site / "public"
    notes = (public / "notes/index.html").read_text()
    assert "<h1 class=\"p-name\">Short Notes</h1>" in notes and "<em>to self</em>" in notes
    assert '<meta name="description" content="Small things.">' in notes
    assert "Note A" in notes and "Note B" in notes and "Essay C" not in notes
    assert not (public / "essays").exists()  # its posts are at /:slug/: the URL would not be its own
    assert "https://example.com/notes/</loc>" in (public / "sitemap.xml").read_text()


def test_an_index_md_text_no_page_shows_is_named(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/_index.md": "+++\ntitle = \"Posts\"\n+++\nLooking for older posts?\n",
            "content/posts/a.md": "---\ntitle: A\ndate: 2020-01-01\n---\nx\n",
        }
    )
    warnings = warnings_of(build(site))
    assert any(w.startswith("content/posts/_index.md: its text is shown on no page (the home page") for w in warnings)
