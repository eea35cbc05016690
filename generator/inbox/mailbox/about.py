"""Which post an email is about: the site's posts, read from its sources, and the ways a
letter by email names one.

In order: the `[slug]` token at the end of the subject (the "Reply by email" link writes
it; an old slug kept in `aliases` still finds its post), the post's address in the body
(the link's "About “...”: URL" line on any host, as a staging copy of the site writes it,
or a link to the post on the site's own host), then a subject that is exactly "Re: <title>" (what the link
wrote before it had a token). Posts are read from content/ as the build reads them, so no
build is needed first; drafts are left out, as readers never saw them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.build.documents import read_meta
from generator.build.manifest import ManifestPost
from generator.build.sources import discover, read_source
from generator.site.config import SiteConfig
from generator.site.errors import ErrorCollector
from generator.site.urls import post_path

_TOKEN = re.compile(r"\[([^\[\]\s]{1,200})\]\s*$")
_PREFIX = re.compile(r"^\s*((re|fwd?|aw|sv|vs|wg|tr|rif|antw|odp|ynt)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_POST_PATH = re.compile(r"/posts/([^/\s?#\"'<>]+)/?")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass(frozen=True)
class SitePosts:
    posts: Mapping[str, ManifestPost]  # by slug
    aliases: Mapping[str, str]  # an old slug (from an alias /posts/<old>/) → the post's slug
    host: str = ""  # base_url's host: links to it name a post wherever they are in a mail

    def get(self, slug: str) -> ManifestPost | None:
        slug = unquote(slug).strip().lower()
        return self.posts.get(slug) or self.posts.get(self.aliases.get(slug, ""))


def site_posts(root: Path, config: SiteConfig) -> SitePosts:
    """The site's posts (drafts left out) as the build would publish them."""
    errors = ErrorCollector()  # unreadable sources are the build's to report, not ours
    posts: dict[str, ManifestPost] = {}
    aliases: dict[str, str] = {}
    for path, kind in discover(root / "content"):
        if kind != "post":
            continue
        source = read_source(path, path.relative_to(root), kind, errors)
        meta = read_meta(source, config.tz, errors) if source is not None else None
        if meta is None or meta.draft:
            continue
        url = config.base_url + post_path(meta.slug)
        posts[meta.slug] = ManifestPost(meta.slug, meta.title or meta.slug, url)
        for alias in meta.aliases:
            found = _POST_PATH.search("/" + alias.strip("/") + "/")
            if found:
                aliases[found.group(1).lower()] = meta.slug
    return SitePosts(posts, aliases, (urlsplit(config.base_url).hostname or "").lower())


def plain_subject(subject: str) -> str:
    """The subject without its Re:/Fwd:/AW: prefixes."""
    return " ".join(_PREFIX.sub("", subject).split())


def post_of(subject: str, text: str, known: SitePosts) -> ManifestPost | None:
    """The post an email is about, or None."""
    token = _TOKEN.search(subject.strip())
    if token:
        post = known.get(token.group(1))
        if post is not None:
            return post
    for line in text.split("\n"):
        about = line.lstrip("> ").startswith(("About “", 'About "'))  # the link's own line: any host
        for url in _URL.findall(line):
            if about or (urlsplit(url).hostname or "").lower() == known.host:
                post = _post_at(url, known)
                if post is not None:
                    return post
    wanted = plain_subject(subject).casefold()
    if wanted and subject.strip()[:3].lower() == "re:":
        for post in known.posts.values():
            if " ".join(post.title.split()).casefold() == wanted:
                return post
    return None


def _post_at(url: str, known: SitePosts) -> ManifestPost | None:
    path = urlsplit(url.rstrip(".,;:!?")).path
    found = _POST_PATH.search(path if path.endswith("/") else path + "/")
    return known.get(found.group(1)) if found else None
