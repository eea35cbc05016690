"""A built site's feeds and page heads as a feed reader and a link preview read them.

The site is built by the real `fireside build`; its Atom is parsed by feedparser (the
parser behind many feed readers) and its pages by an HTML parser, and what a reader would
be shown is compared with what the author wrote.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from generator.build import mailto

from .conftest import run_cli, write_tree

CONFIG = """\
title: Readers
base_url: https://readers.example/blog/
author:
  name: Ann Writer
  email: ann@readers.example
"""

POSTS = {
    "content/posts/asides.md": """\
        ---
        title: On asides
        date: 2026-01-05
        tags: [Craft, letters]
        summary: "On *asides*, [footnotes](https://example.org/notes) and `code` -- & what they cost."
        ---
        The body of the essay.

        ## A part

        More of it.
        """,
    "content/posts/list-only.md": """\
        ---
        title: Only a list
        date: 2026-01-06
        ---
        - one
        - two
        """,
}


class _Anchors(HTMLParser):
    """The links of an HTML fragment as a browser sees them: (href, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._open: list[tuple[str, list[str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open.append((dict(attrs).get("href") or "", []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, text = self._open.pop()
            self.links.append((href, "".join(text).strip()))

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for _, text in self._open:
            text.append(data)


def _anchors(html: str) -> _Anchors:
    parser = _Anchors()
    parser.feed(html)
    return parser


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        key = found.get("name") or found.get("property")
        if tag == "meta" and key:
            self.meta[key] = found.get("content") or ""


def _meta(page: Path) -> dict[str, str]:
    parser = _Meta()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.meta


def _built(tmp_path: Path, config: str) -> Path:
    site = tmp_path / "site"
    write_tree(site, {"site.yaml": config, **POSTS})
    done = run_cli("build", cwd=site)
    assert done.returncode == 0, done.stderr
    return site / "public"


def _feed(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


@pytest.mark.parametrize(
    ("inbox", "reply_href"),
    [
        ("inbox:\n  endpoint: https://readers.example/inbox/\n", "https://readers.example/blog/posts/asides/#write"),
        # The page's Reply-by-email letter: the address percent-encoded, the post's [slug], the question.
        ("", mailto.href("ann@readers.example", "On asides", "asides",
                         "https://readers.example/blog/posts/asides/")),
    ],
    ids=["letter-form", "email"],
)
def test_every_entry_ends_with_a_reply_link_a_feed_reader_shows_as_a_link(
    tmp_path: Path, inbox: str, reply_href: str
) -> None:
    output = _built(tmp_path, CONFIG + inbox)
    for feed_file in ("atom.xml", "tags/craft/atom.xml"):
        entry = next(e for e in _feed(output / feed_file).entries if e.title == "On asides")
        shown = _anchors(entry.content[0].value)
        assert (reply_href, "Reply to this essay") in shown.links, feed_file
        # No markup shown as text: the reader sees words, not tags.
        text = "".join(shown.text)
        assert "<" not in text and "&lt;" not in text and "href=" not in text, text


def test_entry_content_has_no_stray_heading_anchors(tmp_path: Path) -> None:
    output = _built(tmp_path, CONFIG)
    entry = next(e for e in _feed(output / "atom.xml").entries if e.title == "On asides")
    shown = _anchors(entry.content[0].value)
    assert "A part" in "".join(shown.text)
    assert "#" not in "".join(shown.text)  # the site's hover-only "#" beside each heading
    assert (output / "posts/asides/index.html").read_text().count('class="heading-anchor"') == 1


def test_categories_name_the_tag_index_in_every_feed(tmp_path: Path) -> None:
    output = _built(tmp_path, CONFIG)
    for feed_file in ("atom.xml", "tags/craft/atom.xml", "tags/letters/atom.xml"):
        entry = next(e for e in _feed(output / feed_file).entries if e.title == "On asides")
        assert [(t.term, t.label, t.scheme) for t in entry.tags] == [
            ("craft", "Craft", "https://readers.example/blog/tags/"),
            ("letters", "letters", "https://readers.example/blog/tags/"),
        ], feed_file
    assert (output / "tags/index.html").is_file()  # the scheme is a page that exists


def test_a_markdown_summary_is_plain_text_in_descriptions_and_feeds(tmp_path: Path) -> None:
    output = _built(tmp_path, CONFIG)
    plain = "On asides, footnotes and code – & what they cost."
    meta = _meta(output / "posts/asides/index.html")
    assert meta["description"] == plain
    assert meta["og:description"] == plain
    entry = next(e for e in _feed(output / "atom.xml").entries if e.title == "On asides")
    assert entry.summary == plain
    # On lists the summary is still Markdown, rendered.
    home = (output / "index.html").read_text()
    assert "<em>asides</em>" in home and '<a href="https://example.org/notes">footnotes</a>' in home


def test_a_summary_that_would_only_repeat_the_title_is_left_out_of_the_feed(tmp_path: Path) -> None:
    output = _built(tmp_path, CONFIG)
    entry = next(e for e in _feed(output / "atom.xml").entries if e.title == "Only a list")
    assert "summary" not in entry or entry.summary != "Only a list"
    assert _meta(output / "posts/list-only/index.html")["description"]  # pages still have one
