"""How links written in a document become links on the site.

An author links the way their editor understands: to another post's source file
(`[x](other-post.md)`), to a file beside the post, or to `/files/x.pdf` under
content/static. This module turns each into the URL the built site serves, and records a
`path:line` error for a link that would be broken.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from generator.build.sources import MARKDOWN_SUFFIXES, SourceFile
from generator.site.errors import ErrorCollector
from generator.site.urls import UrlScheme, has_scheme


@dataclass(frozen=True)
class SiteFiles:
    """What a link may point at, shared by every document of one build."""

    urls: UrlScheme
    documents: Mapping[Path, str]  # resolved source path → the document's site path
    unpublished: Mapping[Path, str]  # resolved source path → why it is not on the site
    static_dirs: tuple[Path, ...]  # content/static and theme static folders, most specific first
    content_static: Path


class DocumentLinks:
    """The `LinkContext` markup.py asks while rendering one document."""

    def __init__(self, files: SiteFiles, source: SourceFile, errors: ErrorCollector) -> None:
        self.files = files
        self.source = source
        self.errors = errors
        self.base_dir = source.path.parent.resolve()

    def _line(self, line: int | None) -> int:
        return self.source.body_line + (line or 1) - 1

    def resolve(self, url: str, line: int | None) -> str:
        if not url or has_scheme(url) or url.startswith(("#", "//", "?")):
            return url
        parts = urlsplit(url)
        suffix = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
        if parts.path.startswith("/"):
            return self.files.urls.link(parts.path) + suffix
        target = (self.base_dir / unquote(parts.path)).resolve()
        site_path = self.files.documents.get(target)
        if site_path is not None:
            return self.files.urls.link(site_path) + suffix
        if target in self.files.unpublished:
            self.errors.error(
                self.source.rel,
                self._line(line),
                f"links to {url!r}, which is {self.files.unpublished[target]}",
            )
            return url
        if target.suffix.lower() in MARKDOWN_SUFFIXES and not target.exists():
            self.errors.error(self.source.rel, self._line(line), f"links to {url!r}: no such file")
            return url
        if self.source.bundle_dir is not None and target.is_relative_to(self.source.bundle_dir.resolve()):
            if not target.exists():
                self.errors.error(self.source.rel, self._line(line), f"links to {url!r}: no such file")
            return url  # bundle files are copied beside the page, so the relative link holds
        static_root = self.files.content_static.resolve()
        if target.is_file() and target.is_relative_to(static_root):
            rel = target.relative_to(static_root).as_posix()
            return self.files.urls.link("/" + quote(rel)) + suffix
        if target.exists():
            self.errors.error(
                self.source.rel,
                self._line(line),
                f"links to {url!r}, a file that is not published (put it in content/static/, "
                "or make the post a folder with index.md and keep the file beside it)",
            )
            return url
        # A relative URL written for the site itself ("../about/"): resolve it as the browser would.
        page_dir = "/" + self._site_path()
        joined = posixpath.normpath(posixpath.join(page_dir, parts.path))
        if parts.path.endswith("/") and not joined.endswith("/"):
            joined += "/"
        return self.files.urls.link(joined) + suffix

    def _site_path(self) -> str:
        return self.files.documents.get(self.source.path.resolve(), "")

    def image_file(self, url: str) -> Path | None:
        if not url or has_scheme(url) or url.startswith("//"):
            return None
        path = unquote(urlsplit(url).path)
        if path.startswith("/"):
            for static_dir in self.files.static_dirs:
                candidate = (static_dir / path.lstrip("/")).resolve()
                if candidate.is_file() and candidate.is_relative_to(static_dir.resolve()):
                    return candidate
            return None
        candidate = (self.base_dir / path).resolve()
        return candidate if candidate.is_file() else None


class PlainLinks:
    """A LinkContext for Markdown that has no file of its own (an answer to a letter)."""

    def __init__(self, urls: UrlScheme) -> None:
        self.urls = urls

    def resolve(self, url: str, line: int | None) -> str:
        return self.urls.link(url) if url.startswith("/") and not url.startswith("//") else url

    def image_file(self, url: str) -> Path | None:
        return None
