"""Which posts the receiver accepts letters for: the build's manifest, re-read when it changes.

The site is rebuilt while the receiver runs (every save under `fireside serve`, every
deploy in production), so the manifest is checked on each letter: a stat, and a read only
when its size, time or inode changed. A missing or broken manifest means no post is
known, and letters are answered 503 (the reader's text kept) rather than refused as
being for an unknown post.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from generator.build.manifest import ManifestPost, read_manifest
from generator.inbox.settings import ManifestSource
from generator.site.urls import THANKS_PATH, post_path

log = logging.getLogger(__name__)


class KnownPosts:
    def __init__(self, source: ManifestSource) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._posts: dict[str, ManifestPost] | None = None

    def _path(self) -> Path | None:
        return self._source if isinstance(self._source, Path) else self._source()

    def get(self) -> Mapping[str, ManifestPost] | None:
        """Posts by id, or None when there is no readable manifest."""
        path = self._path()
        if path is None:
            return None
        try:
            info = path.stat()
        except OSError:
            return None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._posts = read_manifest(path)
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    log.error("cannot read the posts manifest %s: %s", path, exc)
                    self._posts = None
                self._stamp = stamp
            return self._posts


def site_base(post: ManifestPost) -> str | None:
    """The site's base URL: the manifest's, else from a permalink (".../blog/posts/x/" → ".../blog/")."""
    if post.site:
        return post.site
    tail = post_path(post.id)
    if post.url.endswith("/" + tail):
        return post.url[: -len(tail)]
    return None


def thanks_url(post: ManifestPost) -> str | None:
    base = site_base(post)
    return base + THANKS_PATH if base else None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def host_of(posts: Mapping[str, ManifestPost]) -> str:
    """A domain for Message-IDs: the site's host name, if it has letters in it."""
    for post in posts.values():
        host = urlsplit(post.url).hostname or ""
        if any(ch.isalpha() for ch in host):
            return host
    return "fireside.invalid"
