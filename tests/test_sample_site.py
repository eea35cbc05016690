"""The sample site in the repository, built for real: what a first-time user sees."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.build.incremental import build_site
from generator.build.options import BuildOptions
from generator.check.links import check_output

from .conftest import NOW, REPO_ROOT
from .htmlcheck import html_problems

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLISHED_SLUGS = {"an-inch-wide", "letters-not-comments", "a-small-web-of-my-own", "the-first-letter"}
DRAFT_MARKERS = ("unfinished-thoughts", "Unfinished")


@pytest.fixture(
    scope="module", params=["https://example.com/", "https://example.com/blog/"], ids=["root", "subpath"]
)
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    output = tmp_path_factory.mktemp("sample")
    base_url = request.param
    build_site(REPO_ROOT / "site.yaml", BuildOptions(output_dir=output, base_url=base_url, now=NOW))
    return output, base_url


def html_files(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def test_every_page_a_reader_expects_exists(sample: tuple[Path, str]) -> None:
    output, _ = sample
    expected = [
        "index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "atom.xml",
        "tags/index.html",
        "tags/essays/index.html",
        "tags/essays/atom.xml",
        "archive/index.html",
        "about/index.html",
        "now/index.html",
        "css/style.css",
        "css/highlight.css",
        "favicon.svg",
        "files/reading-list.txt",
        "2026/10/small-web/index.html",
        "posts/a-small-web-of-my-own/hearth.png",
        "posts/a-small-web-of-my-own/notes.txt",
    ] + [f"posts/{slug}/index.html" for slug in PUBLISHED_SLUGS]
    missing = [rel for rel in expected if not (output / rel).is_file()]
    assert missing == []


def test_every_page_is_well_formed_html(sample: tuple[Path, str]) -> None:
    output, _ = sample
    problems = {
        p.relative_to(output).as_posix(): html_problems(p.read_text("utf-8")) for p in html_files(output)
    }
    assert {page: found for page, found in problems.items() if found} == {}


def test_no_internal_link_is_broken(sample: tuple[Path, str]) -> None:
    output, base_url = sample
    assert [str(problem) for problem in check_output(output, base_url)] == []


def test_drafts_and_their_files_appear_nowhere(sample: tuple[Path, str]) -> None:
    output, _ = sample
    assert not (output / "posts" / "unfinished-thoughts").exists()
    for path in output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".txt"):
            text = path.read_text("utf-8")
            for marker in DRAFT_MARKERS:
                assert marker not in text, f"{path.relative_to(output)} mentions the draft"


def test_no_request_leaves_the_site(sample: tuple[Path, str]) -> None:
    """The default theme loads nothing from another origin: no fonts, scripts, images, CSS."""
    output, base_url = sample
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
    loading = re.compile(r"<(?:link|script|img|iframe|source|video|audio)\b[^>]*?\s(?:src|href)=\"([^\"]+)\"")
    for page in html_files(output):
        for url in loading.findall(page.read_text("utf-8")):
            if url.startswith(("http://", "https://", "//")):
                link_tag = re.search(rf'<link[^>]*href="{re.escape(url)}"', page.read_text("utf-8"))
                # canonical and feed <link>s name URLs, they do not load them
                if link_tag and re.search(r'rel="(canonical|alternate)"', link_tag.group(0)):
                    continue
                assert url.startswith(origin), f"{page.relative_to(output)} loads {url}"


def test_links_respect_the_base_path(sample: tuple[Path, str]) -> None:
    output, base_url = sample
    base_path = urlsplit(base_url).path
    post = (output / "posts/an-inch-wide/index.html").read_text("utf-8")
    assert f'href="{base_path}posts/letters-not-comments/"' in post  # a link to another post's .md source
    assert f'href="{base_path}files/reading-list.txt"' in post  # a link to a static file
    assert re.search(rf'href="{base_path}css/style\.[0-9a-f]{{10}}\.css"', post)  # fingerprinted
    assert f'<link rel="canonical" href="{base_url}posts/an-inch-wide/">' in post


def test_feed_is_complete_atom_with_absolute_urls(sample: tuple[Path, str]) -> None:
    output, base_url = sample
    feed = ET.parse(output / "atom.xml").getroot()
    for required in ("id", "title", "updated", "author"):
        assert feed.find(ATOM + required) is not None, required
    entries = feed.findall(ATOM + "entry")
    links = {entry.find(ATOM + "link").get("href") for entry in entries}  # type: ignore[union-attr]
    assert links == {f"{base_url}posts/{slug}/" for slug in PUBLISHED_SLUGS}
    for entry in entries:
        for required in ("id", "title", "updated", "content"):
            assert entry.find(ATOM + required) is not None
        content = entry.find(ATOM + "content").text or ""  # type: ignore[union-attr]
        for url in re.findall(r'(?:href|src)="([^"]+)"', content):
            assert url.startswith(("https://", "mailto:")), f"relative URL {url!r} in feed content"
        assert "Reply to this essay" in content


def test_tag_feeds_hold_exactly_their_posts(sample: tuple[Path, str]) -> None:
    output, _ = sample
    feed = ET.parse(output / "tags/essays/atom.xml").getroot()
    titles = {e.find(ATOM + "title").text for e in feed.findall(ATOM + "entry")}  # type: ignore[union-attr]
    assert titles == {"An Inch Wide and a Mile Deep", "Letters, Not Comments"}


def test_sitemap_lists_every_published_page(sample: tuple[Path, str]) -> None:
    output, base_url = sample
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = {loc.text for loc in ET.parse(output / "sitemap.xml").getroot().iter(ns + "loc")}
    for slug in PUBLISHED_SLUGS:
        assert f"{base_url}posts/{slug}/" in locs
    assert f"{base_url}about/" in locs
    for loc in locs:
        rel = loc.removeprefix(base_url)  # type: ignore[union-attr]
        assert (output / rel / "index.html").is_file() or (output / rel).is_file(), loc
    assert f"Sitemap: {base_url}sitemap.xml" in (output / "robots.txt").read_text()


def test_post_page_has_the_essentials(sample: tuple[Path, str]) -> None:
    output, _ = sample
    page = (output / "posts/an-inch-wide/index.html").read_text("utf-8")
    assert 'class="h-entry' in page and 'class="e-content' in page
    assert '<meta name="description"' in page and 'property="og:title"' in page
    assert 'class="footnotes' in page  # footnotes rendered
    assert "“" in page  # smart quotes
    assert 'class="heading-anchor"' in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    code = (output / "posts/a-small-web-of-my-own/index.html").read_text("utf-8")
    assert 'class="highlight"' in code and "style=" not in code.split("<main", 1)[1]
    assert re.search(r'<img[^>]+width="480"[^>]+height="270"|<img[^>]+height="270"[^>]+width="480"', code)
    assert 'loading="lazy"' in code


def test_alias_redirects_to_the_post(sample: tuple[Path, str]) -> None:
    output, base_url = sample
    alias = (output / "2026/10/small-web/index.html").read_text("utf-8")
    assert f'url={base_url}posts/a-small-web-of-my-own/"' in alias


def test_build_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for output in (first, second):
        build_site(REPO_ROOT / "site.yaml", BuildOptions(output_dir=output, now=NOW))
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()] == []
