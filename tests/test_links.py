"""Tests for generator.build.links.DocumentLinks: author links → site links, with `path:line` errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.build.links import DocumentLinks, SiteFiles
from generator.build.sources import SourceFile, read_source
from generator.site.errors import ErrorCollector
from generator.site.urls import UrlScheme

FRONT = "---\ntitle: T\n---\n"  # the body starts on line 4


@dataclass
class Site:
    root: Path
    files: SiteFiles

    def source(self, rel: str) -> SourceFile:
        errors = ErrorCollector()
        source = read_source(self.root / rel, Path(rel), "post", errors)
        assert source is not None and not errors.errors
        return source

    def links(self, rel: str) -> tuple[DocumentLinks, ErrorCollector]:
        errors = ErrorCollector()
        return DocumentLinks(self.files, self.source(rel), errors), errors


@pytest.fixture
def site(tmp_path: Path) -> Site:
    root = tmp_path / "site"
    tree = {
        "content/posts/a.md": FRONT + "Body\n",
        "content/posts/other.md": FRONT + "Other\n",
        "content/posts/draft.md": FRONT + "Draft\n",
        "content/posts/notes.txt": "private notes",
        "content/posts/trip/index.md": FRONT + "Trip\n",
        "content/posts/trip/photo.jpg": "jpg",
        "content/posts/trip/My Map.png": "png",
        "content/pages/about.md": FRONT + "About\n",
        "content/static/files/My File.pdf": "pdf",
        "content/static/img/shared.png": "site version",
        "themes/default/static/img/shared.png": "theme version",
        "themes/default/static/img/logo.png": "logo",
        "secret.png": "outside every static folder",
    }
    for rel, text in tree.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    content = root / "content"
    files = SiteFiles(
        urls=UrlScheme("https://example.com/blog/"),
        documents={
            (content / "posts/a.md").resolve(): "posts/a/",
            (content / "posts/other.md").resolve(): "posts/other/",
            (content / "posts/trip/index.md").resolve(): "posts/trip/",
            (content / "pages/about.md").resolve(): "about/",
        },
        unpublished={(content / "posts/draft.md").resolve(): "a draft and not published"},
        static_dirs=(content / "static", root / "themes/default/static"),
        content_static=content / "static",
    )
    return Site(root, files)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("other.md", "/blog/posts/other/"),
        ("other.md#part-2", "/blog/posts/other/#part-2"),
        ("other.md?ref=a#x", "/blog/posts/other/?ref=a#x"),
        ("./other.md", "/blog/posts/other/"),
        ("trip/index.md", "/blog/posts/trip/"),
        ("../pages/about.md", "/blog/about/"),
        ("a.md#top", "/blog/posts/a/#top"),
    ],
)
def test_link_to_a_source_file_becomes_its_site_url(site: Site, url: str, expected: str) -> None:
    links, errors = site.links("content/posts/a.md")
    assert links.resolve(url, 1) == expected
    assert errors.errors == []


def test_link_from_a_bundle_to_a_sibling_post(site: Site) -> None:
    links, errors = site.links("content/posts/trip/index.md")
    assert links.resolve("../other.md#x", 2) == "/blog/posts/other/#x"
    assert errors.errors == []


def test_link_to_a_draft_is_an_error_at_the_file_line(site: Site) -> None:
    links, errors = site.links("content/posts/a.md")
    assert links.resolve("draft.md", 3) == "draft.md"
    assert [str(e) for e in errors.errors] == [
        "content/posts/a.md:6: links to 'draft.md', which is a draft and not published"
    ]
    assert errors.errors[0].line == site.source("content/posts/a.md").body_line + 3 - 1


def test_link_without_line_is_reported_at_the_first_body_line(site: Site) -> None:
    links, errors = site.links("content/posts/a.md")
    links.resolve("draft.md", None)
    assert errors.errors[0].line == 4


@pytest.mark.parametrize("url", ["missing.md", "missing.md#x", "../pages/gone.markdown"])
def test_link_to_a_missing_markdown_file_is_an_error(site: Site, url: str) -> None:
    links, errors = site.links("content/posts/a.md")
    assert links.resolve(url, 2) == url
    assert [str(e) for e in errors.errors] == [f"content/posts/a.md:5: links to {url!r}: no such file"]


@pytest.mark.parametrize("url", ["photo.jpg", "./photo.jpg", "My%20Map.png", "photo.jpg#zoom"])
def test_bundle_relative_file_stays_relative(site: Site, url: str) -> None:
    links, errors = site.links("content/posts/trip/index.md")
    assert links.resolve(url, 1) == url
    assert errors.errors == []


def test_missing_file_inside_a_bundle_is_an_error(site: Site) -> None:
    links, errors = site.links("content/posts/trip/index.md")
    assert links.resolve("nope.png", 7) == "nope.png"
    assert [str(e) for e in errors.errors] == ["content/posts/trip/index.md:10: links to 'nope.png': no such file"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("../static/files/My File.pdf", "/blog/files/My%20File.pdf"),
        ("../static/files/My%20File.pdf#page=2", "/blog/files/My%20File.pdf#page=2"),
        ("../static/img/shared.png", "/blog/img/shared.png"),
    ],
)
def test_link_to_a_content_static_file_becomes_a_root_link(site: Site, url: str, expected: str) -> None:
    links, errors = site.links("content/posts/a.md")
    assert links.resolve(url, 1) == expected
    assert errors.errors == []


@pytest.mark.parametrize("url", ["notes.txt", "../../secret.png", "../../themes/default/static/img/logo.png"])
def test_link_to_an_existing_unpublished_file_is_an_error(site: Site, url: str) -> None:
    links, errors = site.links("content/posts/a.md")
    assert links.resolve(url, 1) == url
    assert len(errors.errors) == 1
    assert str(errors.errors[0]).startswith(f"content/posts/a.md:4: links to {url!r}, a file that is not published")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/about/", "/blog/about/"),
        ("/files/My File.pdf", "/blog/files/My%20File.pdf"),
        ("/tags/life/?p=2#top", "/blog/tags/life/?p=2#top"),
        ("/", "/blog/"),
    ],
)
def test_root_relative_links_go_under_the_base_path(site: Site, url: str, expected: str) -> None:
    links, errors = site.links("content/posts/a.md")
    assert links.resolve(url, 1) == expected
    assert errors.errors == []


@pytest.mark.parametrize(
    "url",
    ["", "https://other.org/x.md", "http://a.b/c d", "mailto:me@example.com", "#section", "//cdn.example/x.js",
     "?page=2", "data:image/png;base64,AAAA", "tel:+123"],
)
def test_external_and_fragment_links_are_untouched(site: Site, url: str) -> None:
    links, errors = site.links("content/posts/a.md")
    assert links.resolve(url, 1) == url
    assert errors.errors == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [("../../about/", "/blog/about/"), ("../other/#x", "/blog/posts/other/#x"), ("sub/", "/blog/posts/a/sub/")],
)
def test_relative_site_urls_resolve_from_the_page_url(site: Site, url: str, expected: str) -> None:
    links, errors = site.links("content/posts/a.md")
    assert links.resolve(url, 1) == expected
    assert errors.errors == []


def test_image_file_finds_static_files_most_specific_first(site: Site) -> None:
    links, _ = site.links("content/posts/a.md")
    content = site.root / "content"
    assert links.image_file("/img/shared.png") == (content / "static/img/shared.png").resolve()
    assert links.image_file("/img/logo.png") == (site.root / "themes/default/static/img/logo.png").resolve()
    assert links.image_file("/files/My%20File.pdf?x=1") == (content / "static/files/My File.pdf").resolve()


def test_image_file_finds_files_relative_to_the_document(site: Site) -> None:
    links, _ = site.links("content/posts/trip/index.md")
    trip = (site.root / "content/posts/trip").resolve()
    assert links.image_file("photo.jpg") == trip / "photo.jpg"
    assert links.image_file("My%20Map.png") == trip / "My Map.png"


@pytest.mark.parametrize(
    "url", ["", "/img/none.png", "/../secret.png", "/../../secret.png", "https://x.org/a.png", "//cdn/x.png",
            "nope.png", "/img/"]
)
def test_image_file_is_none_for_missing_outside_or_foreign_files(site: Site, url: str) -> None:
    links, _ = site.links("content/posts/trip/index.md")
    assert links.image_file(url) is None
