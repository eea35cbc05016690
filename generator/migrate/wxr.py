"""A WordPress export (WXR, an RSS file with WordPress's own elements) read into plain data.

The standard library's parser reads it: it resolves no external entity, and its expat
refuses entity expansion attacks. Characters XML forbids (some exports hold control
characters from pasted text) are removed before a second try.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class WxrProblem(ValueError):
    """Not a WordPress export this reader understands."""


@dataclass(frozen=True)
class Author:
    login: str
    display_name: str
    email: str
    id: str


@dataclass(frozen=True)
class Comment:
    id: str
    author: str
    email: str
    url: str
    date: str  # local, "2010-05-01 10:00:00"
    date_gmt: str
    content: str
    approved: str  # "1", "0", "spam", "trash"
    type: str  # "", "comment", "pingback", "trackback"
    parent: str
    user_id: str


@dataclass(frozen=True)
class Term:
    domain: str  # "category", "post_tag", or a custom taxonomy
    slug: str
    name: str


@dataclass(frozen=True)
class Item:
    id: str
    type: str  # post, page, attachment, nav_menu_item, ...
    status: str  # publish, draft, pending, private, future, inherit, trash
    title: str
    link: str
    guid: str
    creator: str  # the author's login
    content: str
    excerpt: str
    date: str
    date_gmt: str
    modified: str
    modified_gmt: str
    name: str  # the post's slug, percent-encoded
    parent: str
    menu_order: str
    password: str
    sticky: bool
    attachment_url: str
    terms: tuple[Term, ...]
    meta: dict[str, str]
    comments: tuple[Comment, ...]


@dataclass(frozen=True)
class Export:
    title: str
    link: str
    description: str
    language: str
    base_site_url: str
    base_blog_url: str
    authors: dict[str, Author]
    items: tuple[Item, ...]
    categories: dict[str, str] = field(default_factory=dict)  # slug → name


def _local(tag: str) -> tuple[str, str]:
    """(namespace kind, local name): "wp", "content", "excerpt", "dc" or "" and the name."""
    if tag.startswith("{"):
        namespace, name = tag[1:].split("}", 1)
        if "/excerpt/" in namespace:
            return "excerpt", name
        if "wordpress.org/export" in namespace:
            return "wp", name
        if "purl.org/rss/1.0/modules/content" in namespace:
            return "content", name
        if "purl.org/dc" in namespace:
            return "dc", name
        return "other", name
    return "", tag


def _children(element: ET.Element) -> dict[tuple[str, str], ET.Element]:
    found: dict[tuple[str, str], ET.Element] = {}
    for child in element:
        found.setdefault(_local(child.tag), child)
    return found


def _text(children: dict[tuple[str, str], ET.Element], kind: str, name: str) -> str:
    element = children.get((kind, name))
    return (element.text or "") if element is not None else ""


def read_export(path: Path) -> Export:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WxrProblem(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        text = data.decode("utf-8", "replace")
        try:
            root = ET.fromstring(_FORBIDDEN.sub("", text).encode("utf-8"))
        except ET.ParseError as exc:
            raise WxrProblem(f"{path}: not a readable XML file ({exc})") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise WxrProblem(f"{path}: not a WordPress export (no <rss><channel>)")
    top = _children(channel)
    if ("wp", "wxr_version") not in top and ("wp", "base_site_url") not in top:
        raise WxrProblem(
            f"{path}: an RSS feed, not a WordPress export (Tools → Export in WordPress makes one)"
        )
    authors: dict[str, Author] = {}
    categories: dict[str, str] = {}
    items = []
    for element in channel:
        kind, name = _local(element.tag)
        if (kind, name) == ("wp", "author"):
            fields = _children(element)
            login = _text(fields, "wp", "author_login")
            authors[login] = Author(
                login, _text(fields, "wp", "author_display_name") or login,
                _text(fields, "wp", "author_email"), _text(fields, "wp", "author_id"),
            )  # fmt: skip
        elif (kind, name) == ("wp", "category"):
            fields = _children(element)
            categories[_text(fields, "wp", "category_nicename")] = _text(fields, "wp", "cat_name")
        elif (kind, name) == ("", "item"):
            items.append(_item(element))
    return Export(
        title=_text(top, "", "title"),
        link=_text(top, "", "link"),
        description=_text(top, "", "description"),
        language=_text(top, "", "language"),
        base_site_url=_text(top, "wp", "base_site_url"),
        base_blog_url=_text(top, "wp", "base_blog_url"),
        authors=authors,
        items=tuple(items),
        categories=categories,
    )


def _item(element: ET.Element) -> Item:
    fields = _children(element)
    terms = []
    meta: dict[str, str] = {}
    comments = []
    for child in element:
        kind, name = _local(child.tag)
        if (kind, name) == ("", "category"):
            terms.append(Term(child.get("domain", "category"), child.get("nicename", ""), child.text or ""))
        elif (kind, name) == ("wp", "postmeta"):
            parts = _children(child)
            meta.setdefault(_text(parts, "wp", "meta_key"), _text(parts, "wp", "meta_value"))
        elif (kind, name) == ("wp", "comment"):
            parts = _children(child)
            comments.append(
                Comment(
                    id=_text(parts, "wp", "comment_id"),
                    author=_text(parts, "wp", "comment_author"),
                    email=_text(parts, "wp", "comment_author_email"),
                    url=_text(parts, "wp", "comment_author_url"),
                    date=_text(parts, "wp", "comment_date"),
                    date_gmt=_text(parts, "wp", "comment_date_gmt"),
                    content=_text(parts, "wp", "comment_content"),
                    approved=_text(parts, "wp", "comment_approved"),
                    type=_text(parts, "wp", "comment_type"),
                    parent=_text(parts, "wp", "comment_parent"),
                    user_id=_text(parts, "wp", "comment_user_id"),
                )
            )
    return Item(
        id=_text(fields, "wp", "post_id"),
        type=_text(fields, "wp", "post_type"),
        status=_text(fields, "wp", "status"),
        title=_text(fields, "", "title"),
        link=_text(fields, "", "link"),
        guid=_text(fields, "", "guid"),
        creator=_text(fields, "dc", "creator"),
        content=_text(fields, "content", "encoded"),
        excerpt=_text(fields, "excerpt", "encoded"),
        date=_text(fields, "wp", "post_date"),
        date_gmt=_text(fields, "wp", "post_date_gmt"),
        modified=_text(fields, "wp", "post_modified"),
        modified_gmt=_text(fields, "wp", "post_modified_gmt"),
        name=_text(fields, "wp", "post_name"),
        parent=_text(fields, "wp", "post_parent"),
        menu_order=_text(fields, "wp", "menu_order"),
        password=_text(fields, "wp", "post_password"),
        sticky=_text(fields, "wp", "is_sticky") == "1",
        attachment_url=_text(fields, "wp", "attachment_url"),
        terms=tuple(terms),
        meta=meta,
        comments=tuple(comments),
    )
