"""Atom feeds, the sitemap and robots.txt.

Written with ElementTree rather than a template so they are always well-formed XML, with
every URL absolute (feed readers resolve relative links inconsistently, and some not at all).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING

from generator.build import mailto
from generator.site.model import Post
from generator.site.urls import absolutize

if TYPE_CHECKING:  # imported when a feed or sitemap is made: an edit's rebuild often makes none
    import xml.etree.ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class FeedInfo:
    title: str
    subtitle: str
    feed_url: str  # absolute URL of the feed itself
    site_url: str  # absolute URL of the page the feed mirrors
    tags_url: str  # absolute URL of the site's tag index: the scheme of every entry's categories
    author_name: str
    author_email: str
    language: str


# The "#" link beside each heading (markup.py's _anchor_html): on the site it shows on
# hover, but a feed reader has no stylesheet and would show a stray "#" after every heading.
_HEADING_ANCHOR = re.compile(
    r' <a class="heading-anchor" href="#[^"<>]*" aria-label="[^"<>]*"><span aria-hidden="true">#</span></a>'
)


def entry_html(post: Post, reply_html: str) -> str:
    """A post's content as a feed carries it: every URL absolute, the reply link appended.

    The content is HTML already (Markup): it is joined as a plain string, since Markup
    would escape the reply link it is joined with, and readers would show its tags as text.
    """
    # re.sub gives a plain str whatever text it is given (a Markup, or the Markup that
    # str() gives of a body parked on disk: see parked.py).
    content = _HEADING_ANCHOR.sub("", str(post.content))
    return absolutize(content + reply_html, post.permalink)


def atom_feed(info: FeedInfo, posts: Sequence[Post], content: Callable[[Post], str]) -> bytes:
    """An Atom 1.0 feed of `posts` with full content, as `content(post)` gives it (entry_html)."""
    import xml.etree.ElementTree as ET

    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": info.language})
    _text(feed, "title", info.title)
    if info.subtitle:
        _text(feed, "subtitle", info.subtitle)
    _text(feed, "id", info.feed_url)
    ET.SubElement(
        feed, f"{{{ATOM_NS}}}link", {"rel": "self", "type": "application/atom+xml", "href": info.feed_url}
    )
    ET.SubElement(
        feed, f"{{{ATOM_NS}}}link", {"rel": "alternate", "type": "text/html", "href": info.site_url}
    )
    updated = max((_updated(post) for post in posts), default=None)
    _text(feed, "updated", (updated or datetime(1970, 1, 1, tzinfo=UTC)).isoformat())
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    _text(author, "name", info.author_name)
    if info.author_email:
        _text(author, "email", info.author_email)
    _text(feed, "generator", "Fireside")
    for post in posts:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _text(entry, "title", post.title)
        _text(entry, "id", post.permalink)
        ET.SubElement(
            entry, f"{{{ATOM_NS}}}link", {"rel": "alternate", "type": "text/html", "href": post.permalink}
        )
        if post.date is not None:
            _text(entry, "published", post.date.isoformat())
        _text(entry, "updated", _updated(post).isoformat())
        for person in post.authors:  # a byline of its own; otherwise the feed's author stands
            author = ET.SubElement(entry, f"{{{ATOM_NS}}}author")
            _text(author, "name", person.name)
            if person.email:
                _text(author, "email", person.email)
            if person.url:
                _text(author, "uri", person.url)
        for tag in post.tags:
            ET.SubElement(
                entry,
                f"{{{ATOM_NS}}}category",
                {"term": tag.slug, "label": tag.name, "scheme": info.tags_url},
            )
        # A description that only repeats the title (a post with no paragraph to take one
        # from) is no summary: readers would show the title twice.
        if post.description and post.description != post.title:
            _text(entry, "summary", post.description)
        _text(entry, "content", content(post)).set("type", "html")
    return _serialise(feed)


def sitemap(entries: Sequence[tuple[str, datetime | None]]) -> bytes:
    """A sitemap of (absolute URL, last modified) pairs, in the order given."""
    import xml.etree.ElementTree as ET

    ET.register_namespace("", SITEMAP_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for url, modified in entries:
        item = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(item, f"{{{SITEMAP_NS}}}loc").text = url
        if modified is not None:
            ET.SubElement(item, f"{{{SITEMAP_NS}}}lastmod").text = modified.date().isoformat()
    return _serialise(urlset)


def reply_link_html(post: Post, inbox_endpoint: str, author_email: str) -> str:
    """The 'Reply' link closing each feed entry: the post's letter form if any, else email."""
    if inbox_endpoint:
        href = post.permalink + "#write"
    elif author_email:
        # The same letter as the page's "Reply by email" link: it names the post and asks
        # whether it may be quoted, so `fireside inbox fetch` knows it for a letter.
        href = mailto.href(author_email, post.title, post.slug, post.permalink)
    else:
        return ""
    return f'\n<p><a href="{escape(href)}">Reply to this essay</a></p>'


def robots_txt(sitemap_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n".encode()


def _updated(post: Post) -> datetime:
    moment = post.updated or post.date
    assert moment is not None, "published posts always have a date"
    return moment


# Characters XML 1.0 cannot hold at all (pasted from word processors, terminals): dropped,
# or the whole feed would be rejected by every reader.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = parent.makeelement(f"{{{ATOM_NS}}}{name}", {})
    element.text = xml_safe(value)
    parent.append(element)
    return element


def _serialise(root: ET.Element) -> bytes:
    import xml.etree.ElementTree as ET

    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
