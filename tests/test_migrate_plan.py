"""The shared parts of `fireside import`: front matter, URL planning, links, and writing
the destination all or nothing, never over an existing file."""

from __future__ import annotations

from datetime import UTC as UTC_ZONE
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.migrate import frontmatter
from generator.migrate.destination import ImportRefused, choose_destination, write
from generator.migrate.importer import ImportOptions, import_site
from generator.migrate.model import Document, ImportPlan, SiteSettings
from generator.migrate.urlplan import plan_urls, site_path, templatize

from .conftest import tree_digest, write_tree

UTC = ZoneInfo("UTC")


def test_dates_as_lenient_as_the_source_generators() -> None:
    assert frontmatter.parse_date("2013-11-22 5:00:00 +0000") == datetime(2013, 11, 22, 5, tzinfo=UTC_ZONE)
    assert frontmatter.parse_date("2013/1/2 08:30") == datetime(2013, 1, 2, 8, 30)
    assert frontmatter.parse_date("2013-11-22T05:00:00Z") == datetime(2013, 11, 22, 5, tzinfo=UTC_ZONE)
    assert frontmatter.parse_date("2013-11-22T05:00:00+02:00").utcoffset() == timedelta(hours=2)
    assert frontmatter.parse_date("2013-11-22") == date(2013, 11, 22)
    assert frontmatter.parse_date("22 November") is None


def test_front_matter_of_other_generators_mapped_and_nothing_lost() -> None:
    meta = {
        "Title": "A post", "lastmod": "2020-02-02", "redirect_from": ["/old/"], "categories": "essays life",
        "tags": ["life", "notes"], "published": False, "author": {"name": "Guest"}, "layout": "post",
        "comments": True, "excerpt": "Short.", "taxonomies": {"series": ["one"]},
    }  # fmt: skip
    assert frontmatter.mapped(meta, site_author="Owner") == {
        "title": "A post",
        "updated": date(2020, 2, 2),
        "aliases": ["/old/"],
        "author": "Guest",
        "tags": ["life", "notes", "essays", "one"],
        "summary": "Short.",
        "draft": True,
        "extra": {"layout": "post", "comments": True},
    }
    assert frontmatter.mapped({"author": "Owner"}, site_author="Owner") == {}


def test_front_matter_is_written_in_block_style_with_flat_lists() -> None:
    text = frontmatter.dump({"tags": ["a", "b c"], "title": "x: y", "extra": {"image": {"file": "a.jpg"}}})
    assert text == "---\ntitle: 'x: y'\ntags: [a, b c]\nextra:\n  image:\n    file: a.jpg\n---\n"


def test_old_urls_as_site_paths() -> None:
    assert site_path("https://example.com/blog/2019/05/x/", "/blog/") == "2019/05/x/"
    assert site_path("/blog/a/index.html", "/blog/") == "a/"
    assert site_path("/%CE%B5%CF%80/") == "επ/"
    assert site_path("/about.html") == "about.html"
    assert site_path("/files/../../etc/passwd") is None
    assert site_path("https://example.com/?p=12") is None


def test_the_shape_of_an_old_url() -> None:
    moment = datetime(2019, 5, 1, 23, 30, tzinfo=UTC)
    assert templatize("2019/05/01/first/", "first", moment) == "/:year/:month/:day/:slug/"
    assert templatize("blog/first.html", "first", moment) == "/blog/:slug.html"
    assert templatize("2019/first/", "other", moment) is None


def doc(dest: str, old: str | None, when: datetime, **meta: object) -> Document:
    return Document("post", dest, dest, {"title": dest, "date": when, **meta}, "", old, (), when)


def test_the_most_common_shape_becomes_the_permalink_and_the_rest_get_their_own_url() -> None:
    plan = ImportPlan("jekyll", SiteSettings("T", "https://example.com/", "A"))
    oslo = ZoneInfo("Europe/Oslo")
    plan.documents = [
        doc("content/posts/a.md", "2019/05/01/a/", datetime(2019, 5, 1, 12, tzinfo=oslo)),
        doc("content/posts/b.md", "2019/06/02/b/", datetime(2019, 6, 2, 12, tzinfo=oslo)),
        # Written at 23:30 UTC: in Oslo it is the next day, so the pattern would move it.
        doc("content/posts/c.md", "2019/06/02/c/", datetime(2019, 6, 2, 23, 30, tzinfo=UTC)),
        doc("content/posts/Odd_Name.md", "odd/place.html", datetime(2019, 7, 1, tzinfo=oslo)),
        doc("content/posts/tags.md", "tags/", datetime(2019, 8, 1, tzinfo=oslo)),
    ]
    plan.documents[0].old_aliases = ("old-a/", "2019/05/01/a/", "OLD-A/")
    finals = plan_urls(plan, oslo)
    assert plan.permalinks == {"posts": "/:year/:month/:day/:slug/"}
    by_dest = {d.dest: d for d in plan.documents}
    assert "url" not in by_dest["content/posts/a.md"].meta
    assert by_dest["content/posts/c.md"].meta["url"] == "/2019/06/02/c/"
    assert by_dest["content/posts/Odd_Name.md"].meta["url"] == "/odd/place.html"
    assert by_dest["content/posts/a.md"].meta["aliases"] == ["/old-a/"]  # its own URL and a case twin left out
    assert by_dest["content/posts/tags.md"].meta["url"] == "/tags-old/"  # Fireside's tag index keeps /tags/
    assert sorted(finals) == ["2019/05/01/a/", "2019/06/02/b/", "2019/06/02/c/", "odd/place.html", "tags-old/"]
    assert any("tags" in str(item) and "Fireside's own pages" in str(item) for item in plan.leftovers)


def test_adding_to_a_site_sets_urls_instead_of_permalinks() -> None:
    plan = ImportPlan("hugo", SiteSettings("T", "https://example.com/", "A"))
    plan.documents = [doc("content/posts/a.md", "blog/a/", datetime(2019, 5, 1, tzinfo=UTC))]
    plan_urls(plan, UTC, patterns=False)
    assert plan.permalinks == {}
    assert plan.documents[0].meta["url"] == "/blog/a/"


# -- the destination ---------------------------------------------------------------------------


def jekyll_source(root: Path) -> Path:
    write_tree(root, {
        "_config.yml": "title: Old\nurl: https://old.example\npermalink: /:year/:title/\n",
        "_posts/2019-05-01-hello.md": "---\ntitle: Hello\n---\nHello.\n",
        "images/a.png": b"\x89PNG\r\n\x1a\n",
    })  # fmt: skip
    return root


def test_an_existing_file_is_never_overwritten_and_nothing_is_written(tmp_path: Path) -> None:
    source = jekyll_source(tmp_path / "old")
    site = tmp_path / "site"
    write_tree(site, {
        "site.yaml": "title: Mine\nbase_url: https://mine.example/\nauthor:\n  name: Me\n",
        "content/posts/2019-05-01-hello.md": "---\ntitle: My own hello\n---\nMine.\n",
    })  # fmt: skip
    before = tree_digest(site)
    source_before = tree_digest(source)
    with pytest.raises(ImportRefused, match=r"would overwrite 1 existing file\(s\): content/posts/2019-05-01-hello.md"):
        import_site("jekyll", source, site)
    assert tree_digest(site) == before
    assert tree_digest(source) == source_before


def test_a_failure_halfway_removes_everything_the_import_wrote(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "keep.txt").write_text("mine")
    before = tree_digest(site)
    files = {"content/posts/a.md": b"a", "content/static/b.png": b"b", "content/static/z/missing.png": tmp_path / "nowhere.png"}
    with pytest.raises(ImportRefused, match="everything this import wrote was removed"):
        write(site, files, [], site / "inbox")
    assert tree_digest(site) == before
    assert sorted(p.name for p in site.iterdir()) == ["keep.txt"]


def test_the_source_is_never_the_destination(tmp_path: Path) -> None:
    source = jekyll_source(tmp_path / "old")
    with pytest.raises(ImportRefused, match="the import never changes its source"):
        choose_destination(source / "new", source)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("x")
    with pytest.raises(ImportRefused, match=r"a folder with files but no site\.yaml"):
        choose_destination(tmp_path / "busy", source)


def test_adding_to_a_site_leaves_its_site_yaml_alone(tmp_path: Path) -> None:
    source = jekyll_source(tmp_path / "old")
    site = tmp_path / "site"
    config = "title: Mine\nbase_url: https://mine.example/\nauthor:\n  name: Me\n"
    write_tree(site, {"site.yaml": config})
    result = import_site("jekyll", source, site)
    assert result.added_to_site
    assert (site / "site.yaml").read_text() == config
    post = (site / "content/posts/2019-05-01-hello.md").read_text()
    assert "url: /2019/hello/" in post  # no permalinks setting: its own url
    assert "site.yaml" not in result.written


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    source = jekyll_source(tmp_path / "old")
    result = import_site("jekyll", source, tmp_path / "new", ImportOptions(dry_run=True))
    assert result.posts == 1 and result.files == 1
    assert not (tmp_path / "new").exists()


def test_the_command_reports_what_it_did_and_refuses_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator.cli.command import main

    source = jekyll_source(tmp_path / "old")
    write_tree(source, {"_posts/2019-06-01-gallery.md": "---\ntitle: G\n---\n{% gallery x %}\n"})
    assert main(["import", "jekyll", str(source), str(tmp_path / "new")]) == 0
    out = capsys.readouterr().out
    assert "To finish by hand (1 place):" in out
    assert "  content/posts/2019-06-01-gallery.md:6: template tag {% gallery x %} left as it was" in out
    assert "Imported 2 posts, 0 pages, 1 file from jekyll into" in out
    assert main(["import", "jekyll", str(source), str(tmp_path / "new")]) == 1
    err = capsys.readouterr().err
    assert "the import would overwrite" in err and "nothing was written" in err
    assert main(["import", "hugo", str(source), str(tmp_path / "other")]) == 1
    assert "is it a Hugo site?" in capsys.readouterr().err
