"""generator.check.links: broken internal links in hand-written output trees."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.check.links import LinkChecker, LinkProblem, check_output

BASE = "https://example.com/blog/"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def page(body: str) -> str:
    """An HTML page whose `body` starts on line 3."""
    return f"<!doctype html>\n<title>t</title>\n{body}\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small clean site under the base path /blog/."""
    out = tmp_path / "public"
    write(
        out,
        "index.html",
        page(
            '<a href="/blog/posts/hello/">hello</a> <a href="posts/hello/#intro">intro</a>\n'
            '<link rel="stylesheet" href="/blog/css/style.css?v=3">\n'
            '<img src="img/a.png" srcset="img/a.png 1x, img/a@2x.png 2x" alt="">\n'
            '<a href="https://example.com/blog/about">about, no slash</a>\n'
            '<a href="/blog/tags/caf%C3%A9/">café</a> <a href="#">top</a> <a href="#top">top</a>\n'
            '<a href="#main">main</a> <main id="main"></main> <a href="">self</a>\n'
            '<a href="https://other.org/x">x</a> <a href="//cdn.example.com/y">y</a>\n'
            '<a href="mailto:me@example.com">m</a> <a href="tel:+123">t</a>\n'
            '<img src="data:image/png;base64,AAAA" alt=""> <a href="javascript:void(0)">j</a>\n'
            '<a href="https://example.com/other/">same host, other site</a>\n'
            '<form action="https://letters.example.net/send"></form>\n'
            '<video src="media/v.mp4" poster="img/a.png"><track src="media/v.vtt"></video>'
        ),
    )
    write(
        out,
        "posts/hello/index.html",
        page(
            '<h2 id="intro">Intro</h2> <a name="old-anchor"></a>\n'
            '<a href="../../">home</a> <a href="../../index.html#main">main</a>\n'
            '<a href="#old-anchor">old</a> <a href="/blog/about/#caf%C3%A9">about</a>'
        ),
    )
    write(out, "about/index.html", page('<h1 id="café">About</h1>'))
    write(out, "tags/café/index.html", page("<p>café</p>"))
    write(out, "old/index.html", page('<meta http-equiv="refresh" content="0; url=/blog/about/">'))
    for rel in ("css/style.css", "img/a.png", "img/a@2x.png", "media/v.mp4", "media/v.vtt"):
        write(out, rel, "x")
    write(
        out,
        "feed.xml",
        (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">\n'
            '<link rel="self" href="https://example.com/blog/feed.xml"/>\n'
            '<link href="https://example.com/blog/"/>\n'
            '<entry><link href="https://example.com/blog/posts/hello/"/>\n'
            '<content type="html">&lt;p&gt;&lt;a href="https://example.com/blog/about/"&gt;'
            "a&lt;/a&gt;&lt;/p&gt;</content></entry>\n</feed>\n"
        ),
    )
    write(
        out,
        "sitemap.xml",
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            "<url><loc>https://example.com/blog/posts/hello/</loc></url>\n"
            "<url><loc>https://example.com/blog/tags/caf%C3%A9/</loc></url>\n</urlset>\n"
        ),
    )
    return out


def problems(out: Path) -> list[tuple[str, int, str, str]]:
    return [(p.page, p.line, p.url, p.message) for p in check_output(out, BASE)]


def test_clean_site_has_no_problems(site: Path) -> None:
    assert check_output(site, BASE) == []


def test_base_url_without_trailing_slash(site: Path) -> None:
    assert check_output(site, BASE.rstrip("/")) == []


def test_missing_file_and_missing_dir_index(site: Path) -> None:
    write(site, "a.html", page('<a href="nope.html">x</a>\n\n<a href="posts/">posts</a>'))
    assert problems(site) == [
        ("a.html", 3, "nope.html", "no such file: nope.html"),
        ("a.html", 5, "posts/", "no such file: posts/index.html"),
    ]


def test_missing_fragment_on_same_and_other_page(site: Path) -> None:
    write(
        site,
        "a.html",
        page(
            '<p id="here"></p><a href="#there">x</a>\n'
            '<a href="posts/hello/#nope">y</a> <a href="#here">ok</a>'
        ),
    )
    assert problems(site) == [
        ("a.html", 3, "#there", "no element with id 'there' in a.html"),
        ("a.html", 4, "posts/hello/#nope", "no element with id 'nope' in posts/hello/index.html"),
    ]


def test_root_relative_outside_base_path(site: Path) -> None:
    write(site, "a.html", page('<link rel="stylesheet" href="/css/style.css">'))
    assert problems(site) == [
        ("a.html", 3, "/css/style.css", "outside the base path /blog/"),
    ]


def test_absolute_url_under_base_to_missing_file(site: Path) -> None:
    write(site, "a.html", page('<a href="https://example.com/blog/gone/">x</a>'))
    assert problems(site) == [
        ("a.html", 3, "https://example.com/blog/gone/", "no such file: gone/index.html"),
    ]


def test_broken_img_src_and_srcset_candidate(site: Path) -> None:
    write(
        site,
        "a.html",
        page('<img src="img/b.png" alt="">\n<img src="img/a.png"\n     srcset="img/a.png 1x, img/c.png 2x">'),
    )
    assert problems(site) == [
        ("a.html", 3, "img/b.png", "no such file: img/b.png"),
        ("a.html", 5, "img/c.png", "no such file: img/c.png"),  # the srcset's own line
    ]


def test_meta_refresh_target_missing(site: Path) -> None:
    write(site, "moved/index.html", page('<meta http-equiv="Refresh" content="0;URL=\'/blog/gone/\'">'))
    assert problems(site) == [
        ("moved/index.html", 3, "/blog/gone/", "no such file: gone/index.html"),
    ]


def test_feed_link_and_escaped_content_link(site: Path) -> None:
    write(
        site,
        "feed.xml",
        (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">\n'
            "<entry>\n"
            '  <link rel="alternate" href="https://example.com/blog/posts/gone/"/>\n'
            '  <content type="html">&lt;p&gt;Hi&lt;/p&gt;\n'
            "&lt;p&gt;&lt;img src=&quot;/blog/img/none.png&quot;&gt;&lt;/p&gt;</content>\n"
            '  <summary type="html"><![CDATA[<a href="/blog/posts/hello/#x">x</a>]]></summary>\n'
            "</entry>\n</feed>\n"
        ),
    )
    assert problems(site) == [
        ("feed.xml", 4, "https://example.com/blog/posts/gone/", "no such file: posts/gone/index.html"),
        ("feed.xml", 6, "/blog/img/none.png", "no such file: img/none.png"),
        ("feed.xml", 7, "/blog/posts/hello/#x", "no element with id 'x' in posts/hello/index.html"),
    ]


def test_sitemap_loc_broken(site: Path) -> None:
    write(
        site,
        "sitemap.xml",
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            "<url><loc>https://example.com/blog/posts/hello/</loc></url>\n"
            "<url>\n  <loc>https://example.com/blog/posts/gone/</loc>\n</url>\n</urlset>\n"
        ),
    )
    assert problems(site) == [
        ("sitemap.xml", 5, "https://example.com/blog/posts/gone/", "no such file: posts/gone/index.html"),
    ]


def test_malformed_xml_is_reported_not_raised(site: Path) -> None:
    write(site, "feed.xml", "<feed>\n<entry>\n</feed>\n")
    [problem] = check_output(site, BASE)
    assert (problem.page, problem.line, problem.url) == ("feed.xml", 3, "")
    assert str(problem).startswith("feed.xml:3: cannot parse XML: ")


def test_unicode_percent_encoded_paths_resolve(site: Path) -> None:
    write(
        site,
        "a.html",
        page(
            '<a href="/blog/tags/caf%C3%A9/">a</a> <a href="tags/café/">b</a>\n'
            '<a href="tags/caf%C3%A8/">c</a>'
        ),
    )
    assert problems(site) == [
        ("a.html", 4, "tags/caf%C3%A8/", "no such file: tags/cafè/index.html"),
    ]


def test_traversal_out_of_output_is_a_problem(site: Path) -> None:
    write(site.parent, "secret.txt", "no")
    write(
        site,
        "a.html",
        page(
            '<a href="../secret.txt">a</a>\n<a href="/blog/../secret.txt">b</a>\n'
            '<a href="%2e%2e/secret.txt">c</a> <a href="x/../../secret.txt">d</a>'
        ),
    )
    assert problems(site) == [
        ("a.html", 3, "../secret.txt", "outside the output folder"),
        ("a.html", 4, "/blog/../secret.txt", "outside the output folder"),
        ("a.html", 5, "%2e%2e/secret.txt", "outside the output folder"),
        ("a.html", 5, "x/../../secret.txt", "outside the output folder"),
    ]


def test_base_element_and_symlink_escape(site: Path) -> None:
    write(site.parent, "elsewhere/index.html", page("<p>outside</p>"))
    (site / "link").symlink_to(site.parent / "elsewhere", target_is_directory=True)
    write(
        site,
        "deep/a.html",
        page('<base href="/blog/posts/">\n<a href="hello/">ok</a>\n<a href="/blog/link/">escape</a>'),
    )
    assert problems(site) == [
        ("deep/a.html", 5, "/blog/link/", "outside the output folder"),
    ]


def test_root_base_path_and_problem_str(tmp_path: Path) -> None:
    write(tmp_path, "index.html", page('<a href="/x/">x</a>'))
    [problem] = check_output(tmp_path, "https://example.com")
    assert problem == LinkProblem("index.html", 3, "/x/", "no such file: x/index.html")
    assert str(problem) == "index.html:3: broken link '/x/': no such file: x/index.html"


def test_results_are_sorted(site: Path) -> None:
    write(site, "b.html", page('<a href="/blog/z">z</a>\n<a href="/blog/a">a</a>'))
    write(site, "a.html", page('<a href="/blog/y">y</a> <a href="/blog/b">b</a>'))
    found = check_output(site, BASE)
    assert [(p.page, p.line, p.url) for p in found] == [
        ("a.html", 3, "/blog/b"),
        ("a.html", 3, "/blog/y"),
        ("b.html", 3, "/blog/z"),
        ("b.html", 4, "/blog/a"),
    ]


def test_form_action_poster_and_xhtml_feed_content(site: Path) -> None:
    write(
        site,
        "a.html",
        page('<form action="/blog/search/"></form>\n<video src="media/v.mp4" poster="img/p.jpg"></video>'),
    )
    write(
        site,
        "feed.xml",
        (
            '<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n'
            '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">\n'
            '<p><a href="https://example.com/blog/nope/">x</a></p></div></content>\n'
            "</entry>\n</feed>\n"
        ),
    )
    assert problems(site) == [
        ("a.html", 3, "/blog/search/", "no such file: search/index.html"),
        ("a.html", 4, "img/p.jpg", "no such file: img/p.jpg"),
        ("feed.xml", 4, "https://example.com/blog/nope/", "no such file: nope/index.html"),
    ]


def test_crlf_lines_and_attributes_on_later_lines(site: Path) -> None:
    (site / "a.html").write_bytes(b"<p>\r\n<a\r\n  class=x\r\n  href='gone.html'>x</a>\r\n")
    assert problems(site) == [("a.html", 4, "gone.html", "no such file: gone.html")]


def test_hostile_attributes_stay_fast(site: Path) -> None:
    junk = ", " * 100_000
    write(
        site,
        "a.html",
        page(
            f'<img src="img/a.png" srcset="{junk}">\n'
            f'<meta http-equiv="refresh" content="0; url=a{" " * 100_000}b">'
        ),
    )
    [(page_name, line, url, message)] = problems(site)  # the srcset holds no URL at all
    assert (page_name, line, url) == ("a.html", 4, "a" + " " * 100_000 + "b")
    assert message.startswith("invalid path 'a ") and "too long" in message


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder with a file beside it that no link may ever reach."""
    top = tmp_path_factory.mktemp("fuzz")
    write(top, "secret.txt", "no")
    write(top, "out/index.html", page('<p id="a">a</p>'))
    write(top, "out/a/index.html", page("<p>a</p>"))
    write(top, "out/a/b.txt", "b")
    return top / "out"


SEGMENTS = st.one_of(
    st.sampled_from(
        [
            "",
            ".",
            "..",
            "%2e%2e",
            "%2E.",
            "a",
            "b.txt",
            "index.html",
            "secret.txt",
            "%2F",
            "%2f..",
            "%00",
            "%ff",
            "%",
            "\\..",
            "caf%C3%A9",
            "~",
            "?",
            "#a",
        ]
    ),
    st.text(max_size=8),
)
RELATIVE_URLS = st.builds(
    lambda lead, parts, tail: lead + "/".join(parts) + tail,
    st.sampled_from(["", "/", "/blog/", "./", "../", "https://example.com/blog/"]),
    st.lists(SEGMENTS, max_size=8),
    st.sampled_from(["", "/", "?q=1", "#a", "#%", "/#top"]),
)


@settings(max_examples=300, deadline=None)
@given(url=RELATIVE_URLS, page_name=st.sampled_from(["index.html", "a/index.html"]))
def test_random_links_never_escape_or_raise(fuzz_root: Path, url: str, page_name: str) -> None:
    root = fuzz_root.resolve()
    checker = LinkChecker(fuzz_root, BASE)
    message = checker.problem(url, checker.page_url(page_name))
    assert message is None or isinstance(message, str)
    for rel in (url, url.lstrip("/")):
        target, why = checker.locate(rel)
        assert (target is None) != (why is None)
        if target is not None:
            assert (root / target).resolve().is_relative_to(root)
            assert (root / target).is_file()


@settings(max_examples=50, deadline=None)
@given(urls=st.lists(RELATIVE_URLS, min_size=1, max_size=5))
def test_random_links_in_pages_never_raise(tmp_path_factory: pytest.TempPathFactory, urls: list[str]) -> None:
    out = tmp_path_factory.mktemp("pages")
    links = "\n".join(f'<a href="{html.escape(u)}">x</a>' for u in urls)
    write(out, "index.html", page(links))
    escaped = [html.escape('<a href="' + html.escape(u) + '">x</a>') for u in urls]
    write(
        out,
        "feed.xml",
        "<feed>"
        + "".join(
            f'<link href="{html.escape(u)}"/><content type="html">{e}</content>'
            for u, e in zip(urls, escaped, strict=True)
        )
        + "</feed>",
    )
    found = check_output(out, BASE)
    assert all(p.page in ("index.html", "feed.xml") for p in found)
    assert all(p.message != "" for p in found)
