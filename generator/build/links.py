"""How links written in a document become links on the site.

An author links the way their editor understands: to another post's source file
(`[x](other-post.md)`), to a file beside the post, or to `/files/x.pdf` under
content/static. This module turns each into the URL the built site serves, and records a
`path:line` error for a link that would be broken.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from generator.build.sources import MARKDOWN_SUFFIXES, SourceFile, is_bundle_index
from generator.site.errors import ErrorCollector
from generator.site.urls import UrlScheme, alias_path, has_scheme

# Links to a file by its path under content/: Zola's `@/`, Pelican's `{filename}`, `{static}`,
# `{attach}` (and their older `|filename|` spelling).
_CONTENT_PREFIX = re.compile(r"^(?:@/|\{(?:filename|static|attach)\}|\|(?:filename|static|attach)\|)")


@dataclass(frozen=True)
class SiteFiles:
    """What a link may point at, shared by every document of one build."""

    urls: UrlScheme
    documents: Mapping[Path, str]  # resolved source path → the document's site path
    unpublished: Mapping[Path, str]  # resolved source path → why it is not on the site
    static_dirs: tuple[Path, ...]  # content/static and theme static folders, most specific first
    content_static: Path
    # Every other URL a published document answers at (its aliases) → its site path.
    old_urls: Mapping[str, str] = field(default_factory=dict)

    def current_path(self, site_path: str) -> str | None:
        """The site path of the document that answers at `site_path` (an old URL), if any.

        "/2019/x.html" finds a post now at "2019/x/" only through an alias; a document
        whose own path it is finds itself, with or without its trailing slash.
        """
        normal = alias_path(site_path)
        if normal is None:
            return None
        if normal in self.old_urls:
            return self.old_urls[normal]
        return normal if normal in self._own_paths else None

    def bundle_file_path(self, target: Path) -> str | None:
        """The site path of a file inside another published post folder (copied beside that
        post's page, wherever its permalink put it), or None."""
        if target.suffix.lower() in MARKDOWN_SUFFIXES and target.parent in self._bundles:
            return None  # a folder's own Markdown is a page, not a copied file
        for folder in target.parents:
            page = self._bundles.get(folder)
            if page is not None:
                base = page if page.endswith("/") else page.rpartition("/")[0] + "/"
                return base + target.relative_to(folder).as_posix()
        return None

    @property
    def _bundles(self) -> Mapping[Path, str]:
        """Published post folders (the folder of an index.md) → the site path of their page."""
        bundles = self.__dict__.get("_bundle_map")
        if bundles is None:
            bundles = {
                source.parent: path for source, path in self.documents.items() if is_bundle_index(source.name)
            }
            object.__setattr__(self, "_bundle_map", bundles)
        return bundles

    @property
    def _own_paths(self) -> frozenset[str]:
        own = self.__dict__.get("_own")
        if own is None:
            own = frozenset(self.documents.values())
            object.__setattr__(self, "_own", own)
        return own


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
        if "{{" in unquote(url) or "{%" in unquote(url):
            return url  # another generator's template: a warning names it (markdown/leftovers.py)
        parts = urlsplit(url)
        suffix = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
        prefix = _CONTENT_PREFIX.match(unquote(parts.path))
        if prefix is not None:
            return self._content_link(url, unquote(parts.path)[prefix.end() :].lstrip("/"), suffix, line)
        if parts.path.startswith("/"):
            current = self.files.current_path(unquote(parts.path))
            if current is not None:  # a post's old URL (or its own): straight to where it is now
                return self.files.urls.link(current) + suffix
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
            if not target.exists() and not self._in_static(parts.path):
                self.errors.error(self.source.rel, self._line(line), f"links to {url!r}: no such file")
            return url  # bundle files are copied beside the page, so the relative link holds
        static_root = self.files.content_static.resolve()
        if target.is_file() and target.is_relative_to(static_root):
            rel = target.relative_to(static_root).as_posix()
            return self.files.urls.link("/" + quote(rel)) + suffix
        in_bundle = self.files.bundle_file_path(target) if target.is_file() else None
        if in_bundle is not None:  # a file of another post's folder: published beside that post
            return self.files.urls.link("/" + quote(in_bundle)) + suffix
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

    def _content_link(self, url: str, rel: str, suffix: str, line: int | None) -> str:
        """Zola's `@/blog/post.md`, Pelican's `{filename}/post.md` and `{static}/img/x.png`: a
        file by its path under content/, or under content/posts/, content/pages/ or
        content/static/, where a copied site's folders go."""
        content = self.files.content_static.parent
        for folder in (content, content / "posts", content / "pages", self.files.content_static):
            target = (folder / rel).resolve()
            if not target.is_relative_to(content.resolve()) or not target.exists():
                continue
            if target in self.files.documents:
                return self.files.urls.link(self.files.documents[target]) + suffix
            if target in self.files.unpublished:
                why = self.files.unpublished[target]
                self.errors.error(self.source.rel, self._line(line), f"links to {url!r}, which is {why}")
                return url
            static_root = self.files.content_static.resolve()
            if target.is_file() and target.is_relative_to(static_root):
                return self.files.urls.link("/" + quote(target.relative_to(static_root).as_posix())) + suffix
            message = f"links to {url!r}, a file that is not published (put it in content/static/)"
            self.errors.error(self.source.rel, self._line(line), message)
            return url
        self.errors.error(self.source.rel, self._line(line), f"links to {url!r}: no such file under content/")
        return url

    def _in_static(self, relative: str) -> bool:
        """Whether a relative URL from this page reaches a file of content/static/ (Hugo
        sites keep a post's big files in static/ under the post's own URL)."""
        page_dir = self._site_path()
        if not page_dir.endswith("/"):
            page_dir = page_dir.rpartition("/")[0] + "/"
        site_path = posixpath.normpath(posixpath.join("/" + page_dir, unquote(relative))).lstrip("/")
        static_root = self.files.content_static.resolve()
        candidate = (static_root / site_path).resolve()
        if not candidate.is_relative_to(static_root):
            return False
        return candidate.is_file() or (candidate / "index.html").is_file()

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
