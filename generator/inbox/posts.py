"""Which posts the receiver accepts letters for: the build's manifest, re-read when it changes.

The site is rebuilt while the receiver runs (every save under `fireside serve`, every
deploy in production), so the manifest is checked on each letter: a stat, and a read only
when its size, time or inode changed. A missing or broken manifest means no post is
known, and letters are answered 503 (the reader's text kept) rather than refused as
being for an unknown post.

The manifest can also be read from its URL on the published site, so a receiver on
another machine needs no copy step after a deploy: it is asked again at most every
`refresh` seconds, with If-None-Match/If-Modified-Since so an unchanged one costs a 304,
and the last good copy is kept while the site cannot be reached.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from generator.build.manifest import ManifestPost, parse_manifest, read_manifest
from generator.inbox.settings import ManifestSource
from generator.site.urls import THANKS_PATH, post_path

log = logging.getLogger(__name__)


MANIFEST_TIMEOUT = 10.0
MAX_MANIFEST = 16 * 1024 * 1024
STRONG_AFTER = 2.0  # seconds between Last-Modified and Date for the time to be a validator


class KnownPosts:
    def __init__(self, source: ManifestSource, refresh: float = 60.0) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._posts: dict[str, ManifestPost] | None = None
        self._remote = _RemoteManifest(source, refresh) if isinstance(source, str) else None

    def _path(self) -> Path | None:
        if isinstance(self._source, str):
            return None
        return self._source if isinstance(self._source, Path) else self._source()

    def get(self) -> Mapping[str, ManifestPost] | None:
        """Posts by id, or None when there is no readable manifest."""
        if self._remote is not None:
            return self._remote.get()
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


class _RemoteManifest:
    """The published site's manifest, asked for again at most every `refresh` seconds."""

    def __init__(self, url: str, refresh: float) -> None:
        self.url = url
        self.refresh = refresh
        self._lock = threading.Lock()
        self._checked = -float("inf")
        self._validators: dict[str, str] = {}
        self._posts: dict[str, ManifestPost] | None = None

    def get(self) -> Mapping[str, ManifestPost] | None:
        with self._lock:  # one request at a time; the others wait and share its answer
            if time.monotonic() - self._checked >= self.refresh:
                self._fetch()
                self._checked = time.monotonic()
            return self._posts

    def _fetch(self) -> None:
        request = urllib.request.Request(self.url, headers={"Accept": "application/json", **self._validators})
        try:
            with urllib.request.urlopen(request, timeout=MANIFEST_TIMEOUT) as reply:
                if not reply.geturl().startswith(("https://", self.url)):
                    raise ValueError(f"redirected to {reply.geturl()!r}, which is not https")
                data = reply.read(MAX_MANIFEST + 1)
                if len(data) > MAX_MANIFEST:
                    raise ValueError("larger than any manifest")
                posts = parse_manifest(data, self.url)
                validators = _validators(reply.headers)
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return  # unchanged
            log.error("cannot read the posts manifest %s: HTTP %d (the last one read is kept)",
                      self.url, exc.code)
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("cannot read the posts manifest %s: %s (the last one read is kept)", self.url, exc)
            return
        if posts != self._posts:
            log.info("posts manifest read from %s: %d posts", self.url, len(posts))
        self._posts, self._validators = posts, validators


def _validators(headers: Message) -> dict[str, str]:
    """What to send next time so that an unchanged manifest costs a 304.

    A Last-Modified within a second or so of the answer's Date is a weak validator (RFC 9110
    8.8.2.2): a deploy in that same second would carry the same time, be answered 304 and
    go unseen until the next change. Such a time is not sent back; an ETag always is.
    """
    found = {}
    if etag := headers.get("ETag"):
        found["If-None-Match"] = etag
    modified, sent = headers.get("Last-Modified"), headers.get("Date")
    try:
        strong = bool(modified and sent) and (parsedate_to_datetime(sent) - parsedate_to_datetime(modified)
                                               ).total_seconds() >= STRONG_AFTER
    except (TypeError, ValueError):
        strong = False
    if strong and modified:
        found["If-Modified-Since"] = modified
    return found


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
