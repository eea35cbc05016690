"""Tests for generator.site.urls: links under root and sub-path base URLs, alias paths, index files."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.site.urls import UrlScheme, alias_path, has_scheme, index_file

ROOT = UrlScheme("https://example.com/")
SUB = UrlScheme("https://example.com/blog/")


def test_base_path_and_origin() -> None:
    assert ROOT.base_path == "/"
    assert SUB.base_path == "/blog/"
    assert SUB.origin == "https://example.com"
    assert UrlScheme("http://localhost:8000/").origin == "http://localhost:8000"


@pytest.mark.parametrize(
    ("path", "at_root", "under_blog"),
    [
        ("", "/", "/blog/"),
        ("/", "/", "/blog/"),
        ("about/", "/about/", "/blog/about/"),
        ("/about/", "/about/", "/blog/about/"),
        ("posts/x/#sec", "/posts/x/#sec", "/blog/posts/x/#sec"),
        ("posts/café/", "/posts/caf%C3%A9/", "/blog/posts/caf%C3%A9/"),
        ("files/my file.pdf", "/files/my%20file.pdf", "/blog/files/my%20file.pdf"),
        ("a%20b/", "/a%20b/", "/blog/a%20b/"),  # already quoted: not quoted twice
        ("search/?q=a&b=c", "/search/?q=a&b=c", "/blog/search/?q=a&b=c"),
    ],
)
def test_link_puts_site_paths_under_the_base_path(path: str, at_root: str, under_blog: str) -> None:
    assert ROOT.link(path) == at_root
    assert SUB.link(path) == under_blog


@pytest.mark.parametrize(
    "url", ["https://other.org/a b", "http://x.org/", "mailto:me@example.com", "#top", "//cdn.example/x.js", "?q=1"]
)
def test_link_and_absolute_pass_foreign_urls_through(url: str) -> None:
    assert ROOT.link(url) == url
    assert SUB.link(url) == url
    assert SUB.absolute(url) == url


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "https://example.com/blog/"),
        ("posts/x/", "https://example.com/blog/posts/x/"),
        ("/tags/ελ/", "https://example.com/blog/tags/%CE%B5%CE%BB/"),
        ("atom.xml", "https://example.com/blog/atom.xml"),
    ],
)
def test_absolute_prefixes_the_origin(path: str, expected: str) -> None:
    assert SUB.absolute(path) == expected
    assert ROOT.absolute(path) == expected.replace("/blog/", "/", 1)


@pytest.mark.parametrize(
    ("url", "expected"),
    [("https://a.b/", True), ("mailto:x@y.z", True), ("data:image/png;base64,xx", True), ("/a/", False),
     ("a.md", False), ("#x", False), ("//cdn.x/", False)],
)
def test_has_scheme(url: str, expected: bool) -> None:
    assert has_scheme(url) is expected


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("/2019/05/old-post/", "2019/05/old-post/"),
        ("2019/05/old-post", "2019/05/old-post/"),
        ("/old.html", "old.html"),  # a file stays a file
        ("old.html/", "old.html/"),  # ...unless written as a folder
        ("v1.2/", "v1.2/"),
        ("./x/", "x/"),
        ("/x//y/", "x/y/"),
        ("a/../b", None),  # refused: an alias never contains ".."
        ("/old/#frag", "old/"),
        ("/old/?p=1", "old/"),
        ("https://old.example.com/a/b?x=1#f", "a/b/"),  # absolute URLs are reduced to their path
        ("//old.example.com/c/", "c/"),
        ("/", None),
        ("", None),
        ("   ", None),
        ("a\\b", None),
        ("a\x00b", None),
        ("https://old.example.com/", None),
    ],
)
def test_alias_path_table(alias: str, expected: str | None) -> None:
    assert alias_path(alias) == expected


@pytest.mark.parametrize("alias", ["../x", "/../x/", "a/../../x"])
def test_alias_path_refuses_climbing_out_of_the_site(alias: str) -> None:
    assert alias_path(alias) is None


@settings(max_examples=250, deadline=None)
@given(st.text())
def test_alias_path_never_escapes_the_output(alias: str) -> None:
    result = alias_path(alias)
    if result is not None:
        assert result
        assert ".." not in result.split("/")
        assert not result.startswith("/")
        assert "\\" not in result


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "..", ".", "", "x.html", "%2e%2e"]), max_size=6))
def test_alias_path_of_segment_soup_stays_relative(parts: list[str]) -> None:
    result = alias_path("/".join(parts))
    if result is not None:
        assert ".." not in result.split("/")
        assert not result.startswith("/")
        assert "." not in result.split("/")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "index.html"),
        ("posts/x/", "posts/x/index.html"),
        ("about/", "about/index.html"),
        ("404.html", "404.html"),
        ("atom.xml", "atom.xml"),
    ],
)
def test_index_file(path: str, expected: str) -> None:
    assert index_file(path) == expected
