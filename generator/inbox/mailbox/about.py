"""Which post an email is about: the site's posts, read from its sources, and the ways a
letter by email names one.

In order: the `[id]` token at the end of the subject (the "Reply by email" link writes the
post's letter id, its slug; an old slug kept in `aliases` still finds its post), the post's
address in the body (the link's "About “...”: URL" line on any host, as a staging copy of
the site writes it, or a link to the post on the site's own host), then a subject that is
exactly "Re: <title>" (what the link wrote before it had a token). Posts are read from
content/ as the build reads them, so no build is needed first; drafts are left out, as
readers never saw them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.build.library import letter_ids
from generator.build.manifest import ManifestPost
from generator.build.reading import read_site
from generator.site.config import SiteConfig
from generator.site.errors import ErrorCollector
from generator.site.urls import UrlScheme

_TOKEN = re.compile(r"\[([^\[\]\s]{1,200})\]\s*$")
_PREFIX = re.compile(r"^\s*((re|fwd?|aw|sv|vs|wg|tr|rif|antw|odp|ynt)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_POST_PATH = re.compile(r"/posts/([^/\s?#\"'<>]+)/?")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass(frozen=True)
class SitePosts:
    posts: Mapping[str, ManifestPost]  # by letter id (the form's `post`, the link's [token])
    aliases: Mapping[str, str]  # another name of a post → its letter id (an old slug, a path)
    host: str = ""  # base_url's host: links to it name a post wherever they are in a mail
    base_path: str = "/"  # base_url's path: a link's path is looked up below it

    def get(self, name: str) -> ManifestPost | None:
        name = unquote(name).strip().lower()
        return self.posts.get(name) or self.posts.get(self.aliases.get(name, ""))


def site_posts(root: Path, config: SiteConfig) -> SitePosts:
    """The site's posts (drafts left out) as the build publishes them: the same letter ids
    and URLs (permalinks, sections), read by the build's own reading stage."""
    errors = ErrorCollector()  # unreadable sources are the build's to report, not ours
    read = read_site(root, config, {}, {}, errors)[3].values()
    metas = [meta for meta in read if meta.kind == "post" and not meta.draft]
    scheme = UrlScheme(config.base_url)
    posts: dict[str, ManifestPost] = {}
    aliases: dict[str, str] = {}
    for meta, letter_id in zip(metas, letter_ids([(m.slug, m.path) for m in metas]), strict=True):
        title = meta.title or meta.slug
        posts[letter_id.lower()] = ManifestPost(letter_id, title, scheme.absolute(meta.path))
        for path in (meta.path, *meta.aliases):
            aliases[_path_key(path)] = letter_id.lower()
            old = _POST_PATH.search("/" + path.strip("/") + "/")
            if old:  # an old slug kept in an alias /posts/<old>/ still finds its post
                aliases.setdefault(old.group(1).lower(), letter_id.lower())
    return SitePosts(posts, aliases, (urlsplit(config.base_url).hostname or "").lower(), scheme.base_path)


def _path_key(path: str) -> str:
    """A site path as the lookup key of a link: "2019/05/x/" and "/2019/05/x" are one."""
    return "path:" + unquote(path).strip("/").lower().removesuffix("/index.html")


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
    below = path.removeprefix(known.base_path.rstrip("/"))  # a staging copy may lack the base path
    for candidate in (below, path):
        post = known.get(_path_key(candidate))
        if post is not None:
            return post
    found = _POST_PATH.search(path if path.endswith("/") else path + "/")
    return known.get(found.group(1)) if found else None
