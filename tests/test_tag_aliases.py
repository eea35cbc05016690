"""A blog brought from another generator keeps its tag pages' addresses: each tag's page is
also answered at the old ones (`tag_aliases` in site.yaml), by a page that redirects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.check.checker import CheckOptions, run_check
from generator.site.errors import BuildFailed

from .conftest import DEFAULT_CONFIG, NOW, MakeSite, build, run_cli, write_tree
from .test_incremental import assert_same_as_clean

POSTS = {
    "content/posts/one.md": "---\ntitle: One\ndate: 2026-01-01\ntags: [Python, Static Sites]\n---\nFirst.\n",
    "content/posts/two.md": (
        "---\ntitle: Two\ndate: 2026-01-02\ncategories: [Notes]\n---\n"
        "As [the old list](/tag/python.html) and [that one](/categories/notes/) show.\n"
    ),
}


def redirect_target(page: Path) -> str:
    """Where a redirect page leads: its refresh and its canonical link must agree."""
    html = page.read_text(encoding="utf-8")
    refresh = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html)
    canonical = re.search(r'rel="canonical" href="([^"]+)"', html)
    assert refresh and canonical, html
    assert refresh.group(1) == canonical.group(1)
    return refresh.group(1)


def test_each_tag_page_answers_at_its_old_addresses(make_site: MakeSite) -> None:
    config = DEFAULT_CONFIG + "tag_aliases: [/tag/:slug.html, /categories/:slug/]\n"
    site = make_site({"site.yaml": config, **POSTS})
    build(site)
    out = site / "public"
    for slug in ("python", "static-sites", "notes"):  # categories are tags too
        assert (out / f"tags/{slug}/index.html").is_file()
        want = f"https://example.com/tags/{slug}/"
        assert redirect_target(out / f"tag/{slug}.html") == want
        assert redirect_target(out / f"categories/{slug}/index.html") == want
    # Redirects are no pages of their own: the sitemap lists the tag pages only.
    assert "tag/python.html" not in (out / "sitemap.xml").read_text()
    # A link in a post to an old address is answered, and `check` finds nothing wrong.
    report = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert report.errors == (), "\n".join(map(str, report.errors))


def test_under_a_base_path_the_redirects_are_there_too(make_site: MakeSite) -> None:
    config = DEFAULT_CONFIG.replace("https://example.com/", "https://example.com/blog/")
    site = make_site({"site.yaml": config + "tag_aliases: [/tag/:slug.html, /categories/:slug/]\n", **POSTS})
    build(site)
    page = site / "public/tag/python.html"
    assert redirect_target(page) == "https://example.com/blog/tags/python/"
    report = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert report.errors == (), "\n".join(map(str, report.errors))


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("tag/:slug/", "must be a path from the site's root"),
        ("/tag/../:slug/", "climbs out of the site"),
        ("/tag/all/", "has no :slug"),
        ("/tag/:name/", "unknown token ':name'"),
        ("/tags/:slug/", "where Fireside's tag pages are already"),
        ("/tags/:slug", "where Fireside's tag pages are already"),
    ],
)
def test_an_unusable_pattern_is_an_error_at_its_line(make_site: MakeSite, value: str, said: str) -> None:
    site = make_site({"site.yaml": DEFAULT_CONFIG + f"tag_aliases:\n  - /category/:slug/\n  - {value}\n", **POSTS})
    with pytest.raises(BuildFailed) as failed:
        build(site)
    (error,) = failed.value.errors
    line = DEFAULT_CONFIG.count("\n") + 3  # the list's second item
    assert (Path(str(error.path)).name, error.line) == ("site.yaml", line) and said in error.message
    done = run_cli("build", cwd=site)
    assert done.returncode == 1 and f"site.yaml:{line}: tag_aliases[1]" in done.stderr


def test_a_pattern_listed_twice_is_an_error(make_site: MakeSite) -> None:
    site = make_site({"site.yaml": DEFAULT_CONFIG + "tag_aliases: [/tag/:slug/, /tag/:slug/]\n", **POSTS})
    with pytest.raises(BuildFailed) as failed:
        build(site)
    (error,) = failed.value.errors
    assert error.line == DEFAULT_CONFIG.count("\n") + 1 and "listed twice" in error.message


def test_a_tag_alias_at_another_pages_url_is_an_error_naming_both(make_site: MakeSite) -> None:
    site = make_site({
        "site.yaml": DEFAULT_CONFIG + "tag_aliases: [/:slug/]\n",
        **POSTS,
        "content/pages/python.md": "---\ntitle: Python, the page\n---\nMine.\n",
    })
    with pytest.raises(BuildFailed) as failed:
        build(site)
    (error,) = failed.value.errors
    text = str(error)
    assert "two pages with the same URL: python/index.html" in text, text
    assert "tag_aliases /:slug/ (tag 'Python')" in text and "content/pages/python.md" in text
    assert not (site / "public").exists(), "a failed build wrote its output"


def test_changing_tag_aliases_rebuilds_as_a_clean_build_would(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, {"site.yaml": DEFAULT_CONFIG + "tag_aliases: [/tag/:slug/]\n", **POSTS})
    build(site)
    assert (site / "public/tag/python/index.html").is_file()
    (site / "site.yaml").write_text(DEFAULT_CONFIG + "tag_aliases: [/category/:slug.html]\n")
    build(site)
    assert not (site / "public/tag/python/index.html").exists()
    assert_same_as_clean(site, tmp_path)
    # A tag renamed: its old slug's redirect goes, the new one's comes.
    (site / "content/posts/one.md").write_text(POSTS["content/posts/one.md"].replace("Python", "Py"))
    build(site)
    assert (site / "public/category/py.html").is_file() and not (site / "public/category/python.html").exists()
    assert_same_as_clean(site, tmp_path / "again")


def test_a_tags_old_slug_answers_under_every_pattern(tmp_path: Path) -> None:
    """`tag_old_slugs`: the old site slugged "Static Sites" `staticsites` (and a tag that no
    longer exists, `gone`, is ignored): both patterns answer at the old slug too."""
    site = tmp_path / "site"
    config = (
        DEFAULT_CONFIG
        + "tag_aliases: [/tag/:slug.html, /categories/:slug/]\n"
        + "tag_old_slugs:\n  staticsites: static-sites\n  gone: nothing-here\n"
    )
    write_tree(site, {"site.yaml": config, **POSTS})
    build(site)
    out = site / "public"
    want = "https://example.com/tags/static-sites/"
    assert redirect_target(out / "tag/staticsites.html") == want
    assert redirect_target(out / "categories/staticsites/index.html") == want
    assert redirect_target(out / "tag/static-sites.html") == want  # its own slug as before
    assert not (out / "tag/gone.html").exists() and not (out / "tag/nothing-here.html").exists()
    report = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert report.errors == (), "\n".join(map(str, report.errors))
    # Taking an old slug away removes its redirects, as a clean build would.
    (site / "site.yaml").write_text(DEFAULT_CONFIG + "tag_aliases: [/tag/:slug.html, /categories/:slug/]\n")
    build(site)
    assert not (out / "tag/staticsites.html").exists()
    assert_same_as_clean(site, tmp_path)


@pytest.mark.parametrize("entry", ["a/b: static-sites", "staticsites: ../x", "'..': static-sites"])
def test_an_old_slug_that_is_not_a_slug_is_an_error_at_its_line(make_site: MakeSite, entry: str) -> None:
    site = make_site({"site.yaml": DEFAULT_CONFIG + f"tag_old_slugs:\n  {entry}\n", **POSTS})
    with pytest.raises(BuildFailed) as failed:
        build(site)
    (error,) = failed.value.errors
    assert error.line == DEFAULT_CONFIG.count("\n") + 2 and "is not a slug" in error.message, error
