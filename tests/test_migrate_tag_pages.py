"""An imported blog's tag and category pages keep their addresses: the import sets
`tag_aliases` from the old generator's settings, and the built site answers there."""

from __future__ import annotations

from pathlib import Path

from generator.migrate.importer import import_site

from .conftest import DEFAULT_CONFIG, build, write_tree
from .test_migrate_sites import answers, body, imported
from .test_migrate_wordpress import export


def imported_wordpress(export_text: str, tmp_path: Path) -> Path:
    """The site `fireside import wordpress` makes of an export with this text (not built)."""
    source = tmp_path / "export.xml"
    source.write_text(export_text, encoding="utf-8")
    site = tmp_path / "new"
    import_site("wordpress", source, site)
    return site


def tag_aliases_of(site: Path) -> list[str]:
    config = body(site, "site.yaml")
    if "tag_aliases:" not in config:
        return []
    listed = config.split("tag_aliases:\n", 1)[1]
    return [line[2:] for line in listed.splitlines() if line.startswith("- ")]


def test_pelican_tag_and_category_pages_answer_where_they_were(tmp_path: Path) -> None:
    site, _ = imported("pelican", {
        "pelicanconf.py": "AUTHOR = 'Ann'\nSITENAME = 'Old'\nSITEURL = 'https://old.example'\n",
        "content/hello.md": (
            "Title: Hello\nDate: 2020-01-05\nCategory: Python\nTags: Static Sites\n\n"
            "More [on this](/tag/static-sites.html) and [that](https://old.example/category/python.html).\n"
        ),
    }, tmp_path)
    assert tag_aliases_of(site) == ["/tag/:slug.html", "/category/:slug.html"]
    answers(site, "/tag/static-sites.html", at="/tags/static-sites/")
    answers(site, "/category/python.html", at="/tags/python/")
    # Links in posts to the old lists lead straight to the tag pages.
    post = next((site / "content/posts").glob("*.md")).read_text()
    assert "(/tags/static-sites/)" in post and "(/tags/python/)" in post


def test_pelican_settings_that_made_no_pages_or_fireside_s_own_give_none(tmp_path: Path) -> None:
    site, _ = imported("pelican", {
        "pelicanconf.py": (
            "AUTHOR = 'Ann'\nSITENAME = 'Old'\nSITEURL = 'https://old.example'\n"
            "TAG_SAVE_AS = 'tags/{slug}/index.html'\nCATEGORY_SAVE_AS = ''\n"
        ),
        "content/hello.md": "Title: Hello\nDate: 2020-01-05\nCategory: Python\n\nHi.\n",
    }, tmp_path)
    assert tag_aliases_of(site) == []


def test_jekyll_archives_permalinks_become_tag_aliases(tmp_path: Path) -> None:
    site, _ = imported("jekyll", {
        "_config.yml": (
            "title: Old\nurl: https://old.example\nplugins: [jekyll-archives]\n"
            "jekyll-archives:\n  enabled: [tags, categories]\n  permalinks:\n    tag: /topics/:name/\n"
        ),
        "_posts/2020-01-05-hello.md": "---\ntitle: Hello\ncategories: [notes]\ntags: [python]\n---\nHi.\n",
    }, tmp_path)
    assert tag_aliases_of(site) == ["/topics/:slug/", "/category/:slug/"]
    answers(site, "/topics/python/", at="/tags/python/")
    answers(site, "/category/notes/", at="/tags/notes/")


def test_jekyll_without_the_archives_plugin_gets_none(tmp_path: Path) -> None:
    site, _ = imported("jekyll", {
        "_config.yml": "title: Old\nurl: https://old.example\njekyll-archives:\n  enabled: all\n",
        "_posts/2020-01-05-hello.md": "---\ntitle: Hello\ntags: [python]\n---\nHi.\n",
    }, tmp_path)
    assert tag_aliases_of(site) == []


def test_a_document_at_an_old_tag_address_keeps_it_and_the_pattern_is_left_out(tmp_path: Path) -> None:
    site, result = imported("jekyll", {
        "_config.yml": "title: Old\nurl: https://old.example\nplugins: [jekyll-archives]\njekyll-archives:\n  enabled: all\n",
        "_posts/2020-01-05-hello.md": "---\ntitle: Hello\ntags: [python]\n---\nHi.\n",
        "tag/python.md": "---\ntitle: All about Python\npermalink: /tag/python/\n---\nMy page.\n",
    }, tmp_path)
    assert tag_aliases_of(site) == ["/category/:slug/"]
    answers(site, "/tag/python/")  # the page, not a redirect
    assert any("/tag/:slug/ is left out: /tag/python/ is" in note for note in result.notes), result.notes


def test_hugo_categories_answer_and_tags_are_where_they_were(tmp_path: Path) -> None:
    site, _ = imported("hugo", {
        "hugo.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n',
        "content/posts/hello.md": '+++\ntitle = "Hello"\ndate = 2020-01-05\ntags = ["rust"]\ncategories = ["Notes"]\n+++\nHi.\n',
    }, tmp_path)
    assert tag_aliases_of(site) == ["/categories/:slug/"]  # /tags/:slug/ is Fireside's own
    answers(site, "/categories/notes/", at="/tags/notes/")
    answers(site, "/tags/rust/")


def test_hugo_ugly_urls_and_custom_taxonomies(tmp_path: Path) -> None:
    site, _ = imported("hugo", {
        "hugo.toml": (
            'baseURL = "https://old.example/"\ntitle = "Old"\nuglyURLs = true\n'
            '[taxonomies]\ncategory = "categories"\nseries = "series"\n'
        ),
        "content/posts/hello.md": '+++\ntitle = "Hello"\ndate = 2020-01-05\ncategories = ["Notes"]\n+++\nHi.\n',
    }, tmp_path)
    # Series are not read as tags, so no page of Fireside's answers for them.
    assert tag_aliases_of(site) == ["/categories/:slug.html"]
    answers(site, "/categories/notes.html", at="/tags/notes/")


def test_zola_taxonomies_other_than_tags_answer(tmp_path: Path) -> None:
    site, _ = imported("zola", {
        "config.toml": (
            'base_url = "https://old.example"\ntitle = "Old"\n'
            'taxonomies = [{name = "tags"}, {name = "categories"}, {name = "authors", render = false}]\n'
        ),
        "content/blog/_index.md": '+++\ntitle = "Blog"\nsort_by = "date"\n+++\n',
        "content/blog/hello.md": '+++\ntitle = "Hello"\ndate = 2020-01-05\n[taxonomies]\ncategories = ["Notes"]\n+++\nHi.\n',
    }, tmp_path)
    assert tag_aliases_of(site) == ["/categories/:slug/"]
    answers(site, "/categories/notes/", at="/tags/notes/")


def test_added_to_an_existing_site_the_report_says_what_to_set(tmp_path: Path) -> None:
    source, site = tmp_path / "old", tmp_path / "site"
    write_tree(source, {
        "hugo.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n',
        "content/posts/hello.md": '+++\ntitle = "Hello"\ndate = 2020-01-05\ncategories = ["Notes"]\n+++\nHi.\n',
    })
    write_tree(site, {"site.yaml": DEFAULT_CONFIG})
    result = import_site("hugo", source, site)
    assert body(site, "site.yaml") == DEFAULT_CONFIG
    assert any(note.startswith("add tag_aliases: [/categories/:slug/] to site.yaml") for note in result.notes)


def test_wordpress_tag_and_category_archives_answer_where_pretty_permalinks_put_them(
    tmp_path: Path,
) -> None:
    site = imported_wordpress(export(), tmp_path)
    build(site)
    assert tag_aliases_of(site) == ["/tag/:slug/", "/category/:slug/"]
    answers(site, "/tag/cats/", at="/tags/cats/")
    answers(site, "/category/essays/", at="/tags/essays/")


def test_wordpress_with_plain_permalinks_gets_no_tag_aliases(tmp_path: Path) -> None:
    """Plain permalinks (`?p=10`): the archives were `?tag=cats`, which no page answers."""
    plain = export().replace("https://old.example/2020/01/05/first-post/</link>", "https://old.example/?p=10</link>")
    plain = plain.replace("https://old.example/2020/01/03/second-post/</link>", "https://old.example/?p=11</link>")
    site = imported_wordpress(plain, tmp_path)
    assert tag_aliases_of(site) == []


def test_wordpress_terms_with_their_own_slugs_answer_at_them(tmp_path: Path) -> None:
    """WordPress slugs a tag "essays-2" when a category is called Essays too (here they are
    one tag), and keeps a slug its author typed ("mustread" for "Must Read")."""
    cats = '<category domain="post_tag" nicename="cats"><![CDATA[cats]]></category>'
    more = (
        cats
        + '<category domain="post_tag" nicename="essays-2"><![CDATA[Essays]]></category>'
        + '<category domain="post_tag" nicename="mustread"><![CDATA[Must Read]]></category>'
    )
    site = imported_wordpress(export().replace(cats, more), tmp_path)
    build(site)
    assert "tag_old_slugs:\n  essays-2: essays\n  mustread: must-read\n" in body(site, "site.yaml")
    answers(site, "/tag/essays-2/", at="/tags/essays/")
    answers(site, "/tag/mustread/", at="/tags/must-read/")
    answers(site, "/category/essays/", at="/tags/essays/")


def test_pelican_tags_slugged_otherwise_answer_at_their_old_slug(tmp_path: Path) -> None:
    site, _ = imported("pelican", {
        "pelicanconf.py": "AUTHOR = 'Ann'\nSITENAME = 'Old'\nSITEURL = 'https://old.example'\n",
        "content/hello.md": "Title: Hello\nDate: 2020-01-05\nCategory: Python\nTags: python3.5, code_swarm\n\nHi.\n",
    }, tmp_path)
    assert "tag_old_slugs:\n  code_swarm: code-swarm\n  python35: python3-5\n" in body(site, "site.yaml")
    answers(site, "/tag/python35.html", at="/tags/python3-5/")
    answers(site, "/tag/code_swarm.html", at="/tags/code-swarm/")
    answers(site, "/category/python.html", at="/tags/python/")


def test_an_old_slug_that_is_another_tags_slug_here_is_not_kept(tmp_path: Path) -> None:
    """A tag "Must Read" slugged `cats` by hand, beside a tag `cats`: the old address
    /tag/cats/ stays the cats tag's (keeping both would be two pages at one address)."""
    cats = '<category domain="post_tag" nicename="cats"><![CDATA[cats]]></category>'
    odd = cats + '<category domain="post_tag" nicename="cats-2"><![CDATA[Must Read]]></category>'
    text = export().replace(cats, odd).replace('nicename="cats-2"', 'nicename="cats"')
    site = imported_wordpress(text, tmp_path)
    build(site)  # no two pages at /tag/cats/
    assert "tag_old_slugs" not in body(site, "site.yaml")
    answers(site, "/tag/cats/", at="/tags/cats/")
    answers(site, "/tag/must-read/", at="/tags/must-read/")
