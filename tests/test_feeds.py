"""Tests for generator.build.feeds: Atom feed and sitemap parse as XML, links made absolute, reply links."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from generator.build.feeds import (
    FeedInfo,
    absolutize,
    atom_feed,
    entry_html,
    reply_link_html,
    robots_txt,
    sitemap,
)
from generator.site.model import Post, Tag

A = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.com/blog/"
INFO = FeedInfo(
    title="Letters & Essays",
    subtitle="Slow writing",
    feed_url=BASE + "atom.xml",
    site_url=BASE,
    tags_url=BASE + "tags/",
    author_name="Ann <Writer>",
    author_email="ann@example.com",
    language="en",
)


def post(
    slug: str,
    date: datetime | None,
    *,
    title: str | None = None,
    content: str = "<p>Body</p>",
    updated: datetime | None = None,
    tags: tuple[Tag, ...] = (),
    description: str = "",
) -> Post:
    return Post(
        source=Path(f"content/posts/{slug}.md"),
        slug=slug,
        title=title or slug.title(),
        path=f"posts/{slug}/",
        url=f"/blog/posts/{slug}/",
        permalink=f"{BASE}posts/{slug}/",
        content=content,
        toc=(),
        description=description,
        lang="en",
        template="post.html",
        date=date,
        updated=updated,
        tags=tags,
    )


def parse(data: bytes) -> ET.Element:
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(data)


def test_atom_feed_has_the_feed_metadata() -> None:
    older = post("old", datetime(2024, 1, 1, tzinfo=UTC))
    newer = post("new", datetime(2024, 2, 1, tzinfo=UTC), updated=datetime(2024, 3, 5, 10, tzinfo=UTC))
    root = parse(atom_feed(INFO, [newer, older], lambda post: entry_html(post, "")))
    assert root.tag == f"{A}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.findtext(f"{A}title") == "Letters & Essays"
    assert root.findtext(f"{A}subtitle") == "Slow writing"
    assert root.findtext(f"{A}id") == BASE + "atom.xml"
    assert root.findtext(f"{A}updated") == "2024-03-05T10:00:00+00:00"  # the latest change of any post
    assert root.findtext(f"{A}author/{A}name") == "Ann <Writer>"
    assert root.findtext(f"{A}author/{A}email") == "ann@example.com"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links == {"self": BASE + "atom.xml", "alternate": BASE}


def test_atom_feed_entries_carry_id_title_updated_link_and_content() -> None:
    life = Tag("Life", "life", "/blog/tags/life/", BASE + "tags/life/", "/blog/tags/life/atom.xml")
    first = post(
        "first",
        datetime(2024, 1, 2, 8, tzinfo=timezone(timedelta(hours=1))),
        title="Fish & <Chips>",
        tags=(life,),
        description="About fish",
        content='<p>See <a href="../second/">the next</a>.</p>',
    )
    second = post("second", datetime(2024, 1, 3, tzinfo=UTC))
    root = parse(
        atom_feed(
            INFO,
            [second, first],
            lambda post: entry_html(
                post, '\n<p><a href="#write">Reply</a></p>' if post.slug == "first" else ""
            ),
        )
    )
    entries = root.findall(f"{A}entry")
    assert [e.findtext(f"{A}id") for e in entries] == [BASE + "posts/second/", BASE + "posts/first/"]
    entry = entries[1]
    assert entry.findtext(f"{A}title") == "Fish & <Chips>"
    assert entry.findtext(f"{A}published") == "2024-01-02T08:00:00+01:00"
    assert entry.findtext(f"{A}updated") == "2024-01-02T08:00:00+01:00"
    assert entry.find(f"{A}link").get("href") == BASE + "posts/first/"  # type: ignore[union-attr]
    assert entry.findtext(f"{A}summary") == "About fish"
    category = entry.find(f"{A}category")
    assert category is not None
    assert (category.get("term"), category.get("label"), category.get("scheme")) == (
        "life",
        "Life",
        BASE + "tags/",
    )
    content = entry.find(f"{A}content")
    assert content is not None and content.get("type") == "html"
    assert content.text == (
        f'<p>See <a href="{BASE}posts/second/">the next</a>.</p>'
        f'\n<p><a href="{BASE}posts/first/#write">Reply</a></p>'
    )
    assert entries[0].find(f"{A}summary") is None  # no description, no summary


def test_empty_feed_is_valid_with_an_epoch_updated() -> None:
    info = FeedInfo("T", "", BASE + "atom.xml", BASE, BASE + "tags/", "A", "", "de")
    root = parse(atom_feed(info, [], lambda post: entry_html(post, "")))
    assert root.findtext(f"{A}updated") == "1970-01-01T00:00:00+00:00"
    assert root.find(f"{A}subtitle") is None
    assert root.find(f"{A}author/{A}email") is None
    assert root.findall(f"{A}entry") == []


def test_atom_feed_with_control_characters_is_well_formed() -> None:
    entry = post("vt", datetime(2024, 1, 1, tzinfo=UTC), title="Tab\x0bbed", content="<p>a\x0bb\x1bc</p>")
    parse(atom_feed(INFO, [entry], lambda post: entry_html(post, "")))


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="other/">x</a>', f'<a href="{BASE}posts/x/other/">x</a>'),
        ('<img src="photo.jpg" alt="">', f'<img src="{BASE}posts/x/photo.jpg" alt="">'),
        ('<a href="../y/">x</a>', f'<a href="{BASE}posts/y/">x</a>'),
        ('<a href="/blog/about/">x</a>', '<a href="https://example.com/blog/about/">x</a>'),
        ('<a href="#note-1">1</a>', f'<a href="{BASE}posts/x/#note-1">1</a>'),
        ("<a href='single.html'>x</a>", f"<a href='{BASE}posts/x/single.html'>x</a>"),
        (
            '<video poster="p.png" src="v.mp4">',
            f'<video poster="{BASE}posts/x/p.png" src="{BASE}posts/x/v.mp4">',
        ),
        ('<a href="?q=1&amp;r=2">q</a>', f'<a href="{BASE}posts/x/?q=1&amp;r=2">q</a>'),
        ('<a href="https://other.org/?a=1&amp;b=2">o</a>', '<a href="https://other.org/?a=1&amp;b=2">o</a>'),
        (
            '<a href="mailto:a@b.c?subject=x&amp;body=y">m</a>',
            '<a href="mailto:a@b.c?subject=x&amp;body=y">m</a>',
        ),
        ('<a data-href="keep">x</a>', '<a data-href="keep">x</a>'),
        ("<p>no links</p>", "<p>no links</p>"),
    ],
)
def test_absolutize(html: str, expected: str) -> None:
    assert absolutize(html, BASE + "posts/x/") == expected


def test_absolutize_keeps_escaped_ampersands_valid_html() -> None:
    html = '<a href="/s?a=1&amp;b=2&amp;c=3">x</a>'
    result = absolutize(html, BASE)
    assert result == '<a href="https://example.com/s?a=1&amp;b=2&amp;c=3">x</a>'
    assert "&amp;amp;" not in result
    assert absolutize(result, BASE) == result  # idempotent


def test_absolutize_leaves_code_samples_alone() -> None:
    html = "<p>Use <code>&lt;img src='cat.png'&gt;</code> in HTML.</p>"
    assert absolutize(html, BASE + "posts/x/") == html


def test_sitemap_is_well_formed_with_locs_and_lastmods() -> None:
    data = sitemap(
        [
            (BASE, datetime(2024, 5, 1, 23, 30, tzinfo=UTC)),
            (BASE + "posts/a&b/", None),
            (BASE + "about/", datetime(2024, 1, 2, tzinfo=UTC)),
        ]
    )
    root = parse(data)
    assert root.tag == f"{SM}urlset"
    urls = root.findall(f"{SM}url")
    assert [u.findtext(f"{SM}loc") for u in urls] == [BASE, BASE + "posts/a&b/", BASE + "about/"]
    assert [u.findtext(f"{SM}lastmod") for u in urls] == ["2024-05-01", None, "2024-01-02"]
    assert b"a&amp;b" in data


def test_empty_sitemap_is_well_formed() -> None:
    assert parse(sitemap([])).findall(f"{SM}url") == []


def test_robots_txt_names_the_sitemap() -> None:
    assert robots_txt(BASE + "sitemap.xml") == (
        b"User-agent: *\nAllow: /\n\nSitemap: https://example.com/blog/sitemap.xml\n"
    )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def hrefs(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def test_reply_link_goes_to_the_letter_form_when_there_is_an_inbox() -> None:
    html = reply_link_html(post("x", None, title='A "quoted" & title'), "https://inbox.example.com/", "a@b.c")
    assert hrefs(html) == [BASE + "posts/x/#write"]
    assert "Reply to this essay" in html


def test_reply_link_by_email_percent_encodes_the_subject() -> None:
    title = 'Fish & "Chips" <now>? 100%'
    html = reply_link_html(post("x", None, title=title), "", "ann@example.com")
    (href,) = hrefs(html)
    # The page's Reply-by-email letter: the address percent-encoded, the post's [slug] in the subject.
    assert href.startswith("mailto:%61%6E%6E%40%65%78%61%6D%70%6C%65%2E%63%6F%6D?subject=")
    assert "ann@example.com" not in html
    subject, body = href.split("?subject=", 1)[1].split("&body=", 1)
    assert unquote(subject) == "Re: " + title + " [x]"
    assert not any(ch in subject + body for ch in ' "&<>?#')
    assert "May I quote your letter" in unquote(body)
    assert '"' not in html.split('href="', 1)[1].split('"', 1)[0]  # the attribute is not cut short


def test_reply_link_is_empty_without_inbox_or_email() -> None:
    assert reply_link_html(post("x", None), "", "") == ""


def test_a_feed_entry_is_made_once_and_let_go_after_the_last_feed_showing_it() -> None:
    from generator.build.machine_files import EntryContents

    one, two, three = (post(slug, datetime(2024, 1, n, tzinfo=UTC)) for n, slug in enumerate("abc", 1))
    made: list[str] = []

    def make(p: Post) -> str:
        made.append(p.slug)
        return entry_html(p, "")

    site_feed, tag_x, tag_y = [three, two, one], [three, one], [two]
    contents = EntryContents([site_feed, tag_x, tag_y], make)
    first = parse(atom_feed(INFO, site_feed, contents))
    contents.done(site_feed)
    assert made == ["c", "b", "a"] and set(contents.made) == {"posts/a/", "posts/b/", "posts/c/"}
    atom_feed(INFO, tag_x, contents)
    contents.done(tag_x)
    assert made == ["c", "b", "a"]  # made once each
    assert set(contents.made) == {"posts/b/"}  # a and c shown by no feed still to come
    # A feed kept as the last build left it (never made) lets its entries go all the same.
    contents.done(tag_y)
    assert not contents.made and first.findall(f"{A}entry/{A}content")[1].text == "<p>Body</p>"
