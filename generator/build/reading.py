"""The reading stage of a build: sources to metadata, and what links and tags can see.

Each function is given what it needs and returns plain data; pipeline.py strings them
together. Metadata is kept in the build cache by file state (`source_key`), so a file
that has not changed is not read again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.build.content import ContentListing, list_content, unbuilt_message
from generator.build.documents import DocumentMeta, ReadSettings, read_meta
from generator.build.links import SiteFiles
from generator.build.output.cache import digest_text
from generator.build.parallel import in_chunks, workers_for
from generator.build.sections import Section, read_settings
from generator.build.sources import bundle_assets, read_source
from generator.site import urls
from generator.site.config import SiteConfig
from generator.site.errors import ErrorCollector, SiteError
from generator.site.model import Tag
from generator.site.progress import NO_PROGRESS, Progress
from generator.site.slugs import slugify
from generator.site.urls import UrlScheme

# A cache table of readings: source key → (SourceFile without its text, DocumentMeta).
Readings = dict[tuple[Any, ...], Any]


def source_key(path: str, kind: str, stat: os.stat_result, settings: ReadSettings) -> tuple[Any, ...]:
    """The cache key of one source file's reading: its path, kind, file state and the settings."""
    return (path, kind, stat.st_mtime_ns, stat.st_size, stat.st_ino, settings)


def read_site(
    site_root: Path,
    config: SiteConfig,
    known: Readings,
    keep: Readings,
    errors: ErrorCollector,
    *,
    progress: Progress = NO_PROGRESS,
) -> tuple[ContentListing, ReadSettings, dict[str, Section], dict[str, DocumentMeta]]:
    """content/ as a build reads it: what is there, the sections' settings, every document's
    metadata; with warnings about what it leaves aside (see `content_warnings`)."""
    content_dir = site_root / "content"
    listing = list_content(content_dir)
    settings, sections, notes = read_settings(site_root, config, listing, errors)
    metas = read_documents(
        site_root, content_dir, settings, known, keep, errors, listing=listing, progress=progress
    )
    errors.warnings.extend(content_warnings(listing, metas.values(), notes))
    return listing, settings, sections, metas


def read_documents(
    site_root: Path,
    content_dir: Path,
    settings: ReadSettings,
    known: Readings,
    keep: Readings,
    errors: ErrorCollector,
    *,
    listing: ContentListing | None = None,
    parallel: bool = True,
    progress: Progress = NO_PROGRESS,
) -> dict[str, DocumentMeta]:
    """Every post and page's metadata by source path (as discovered), in discovery order.

    A reading in `known` for the file's current state is reused; every reading used is
    put in `keep` (the next build's cache). A file with an error is left out (and reported).
    Files not read before are read on every core when there are many (a first build).
    """
    found: list[tuple[str, str, tuple[Any, ...], Any]] = []  # path, kind, key, cached reading
    by_content = _ContentKeys(known, settings)
    listing = listing if listing is not None else list_content(content_dir)
    for path, kind in listing.documents:
        try:
            stat = os.stat(path)
        except OSError:
            continue  # deleted between listing and reading: it is simply gone
        key = source_key(path, kind, stat, settings)
        cached = known.get(key)
        if cached is None and known:
            cached = by_content.reading(path, kind, stat)
        if cached is not None:
            source, meta = cached
            if source.bundle_dir is not None:  # a file added beside index.md changes no stat of it
                assets = bundle_assets(source.bundle_dir)
                if assets != source.assets:
                    source = dataclasses.replace(source, assets=assets)
                    cached = source, dataclasses.replace(meta, source=source)
        found.append((path, kind, key, cached))
    fresh = [(path, kind, site_root, settings) for path, kind, _, cached in found if cached is None]
    if fresh:
        progress.stage("reading", len(fresh))
    readings = iter(_read_all(fresh, parallel, progress))
    metas: dict[str, DocumentMeta] = {}
    for path, _, key, cached in found:  # in discovery order, as are their errors
        if cached is None:
            cached, read_errors, read_warnings = next(readings)
            errors.extend(read_errors)
            errors.warnings.extend(read_warnings)
            if cached is None:
                continue
        keep[key] = cached  # without the Markdown text (see _read_one)
        content_key = by_content.key_of(path, kind, cached)
        if content_key is not None:
            keep[content_key] = cached
        meta = cached[1]
        if meta.date_guessed_from:
            errors.warn(meta.source.rel, None, f"no date in front matter: using {meta.date_guessed_from}")
        metas[path] = meta
    return metas


class _ContentKeys:
    """Readings found by the bytes of their file, when its state is new but not its text.

    A fresh clone (a CI job with its cache restored) has every file with a new time and
    inode: each reading is kept under the file's digest too, so such a build reads each
    file's bytes instead of parsing its front matter again. A reading that took its date
    from the file's time is not reused so: the time is part of what it says.
    """

    def __init__(self, known: Readings, settings: ReadSettings) -> None:
        self.known = known
        self.settings = settings

    def key(self, path: str, kind: str, file_digest: str) -> tuple[Any, ...]:
        return (path, "content", kind, file_digest, self.settings)

    def reading(self, path: str, kind: str, stat: os.stat_result) -> Any:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        cached = self.known.get(self.key(path, kind, hashlib.sha256(data).hexdigest()))
        if cached is None or "modification time" in (cached[1].date_guessed_from or ""):
            return None
        source = dataclasses.replace(cached[0], mtime=stat.st_mtime)
        return source, dataclasses.replace(cached[1], source=source)

    def key_of(self, path: str, kind: str, cached: Any) -> tuple[Any, ...] | None:
        """The content key to keep a reading under too, if it may be found so."""
        if not cached[0].file_digest or "modification time" in (cached[1].date_guessed_from or ""):
            return None
        return self.key(path, kind, cached[0].file_digest)


# A file to read: its path, its kind, the site root and the settings to read it with.
_ToRead = tuple[str, str, Path, ReadSettings]
# What reading it gave: (text-less source, metadata) or None, with its errors and warnings.
_Reading = tuple[tuple[Any, DocumentMeta] | None, list[SiteError], list[SiteError]]


def _read_all(files: Sequence[_ToRead], parallel: bool, progress: Progress) -> list[_Reading]:
    workers = workers_for(len(files)) if parallel else 1
    done = progress.advance
    readings = in_chunks(files, workers, _read_chunk, _read_chunk, done=done) if workers > 1 else None
    return readings if readings is not None else _read_chunk(files)


def _read_chunk(files: Sequence[_ToRead]) -> list[_Reading]:
    return [_read_one(*file) for file in files]


def _read_one(path: str, kind: str, site_root: Path, settings: ReadSettings) -> _Reading:
    errors = ErrorCollector()
    source = read_source(Path(path), Path(path).relative_to(site_root), kind, errors)  # type: ignore[arg-type]
    tz = ZoneInfo(settings.timezone)
    meta = read_meta(source, tz, errors, settings) if source is not None else None
    if source is None or meta is None or errors.errors:
        return None, errors.errors, errors.warnings
    # Kept without the Markdown text, in the cache and through the build: the text is
    # read again where the body is rendered (a worker process, often), so a large site's
    # texts are never all in memory at once.
    light = source.without_body()
    return (light, dataclasses.replace(meta, source=light)), errors.errors, errors.warnings


def check_unique_urls(published: Iterable[DocumentMeta], errors: ErrorCollector) -> None:
    seen: dict[str, DocumentMeta] = {}
    for meta in published:
        first = seen.setdefault(meta.path, meta)
        if first is not meta:
            errors.error(meta.source.rel, meta.source.line_of("slug"), _same_url_message(first, meta))


def _same_url_message(first: DocumentMeta, second: DocumentMeta) -> str:
    """Two documents with one URL: both files, and the settings that would separate them."""
    how = ["give one of them a `slug:` or `url:` of its own"]
    for setting in dict.fromkeys((first.path_setting, second.path_setting)):
        if setting.startswith("permalinks."):
            tokens = ":year/:month/:day" if first.date != second.date else ":section"
            how.append(f"put {tokens} into {setting} (site.yaml, or the section's _index.md)")
    return f"two pages with the same URL /{first.path}: {first.source.rel} has it too; " + ", or ".join(how)


def content_warnings(
    listing: ContentListing, metas: Iterable[DocumentMeta], notes: list[tuple[str, Path, int]]
) -> list[SiteError]:
    """What the build leaves aside: files it does not build, keys it does not read."""
    warnings = [
        SiteError(f"content/{folder}" if folder else "content", None, unbuilt_message(folder, names))
        for folder, names in listing.unbuilt.items()
    ]
    notes = notes + [(message, meta.source.rel, line) for meta in metas for message, line in meta.notes]
    return warnings + key_warnings(notes)


def key_warnings(notes: Iterable[tuple[str, Path, int]]) -> list[SiteError]:
    """Warnings about front-matter keys, one per kind however many files have it.

    A theme's key in every post (Jekyll's `layout: post`) is one warning naming where it
    is first and how many other files have it, not hundreds.
    """
    gathered: dict[str, list[tuple[Path, int]]] = {}
    for message, path, line in notes:
        gathered.setdefault(message, []).append((path, line))
    warnings = []
    for message, places in gathered.items():
        path, line = places[0]
        files = len({p for p, _ in places}) - 1
        more = f" (also in {files} other file{'s' if files != 1 else ''})" if files else ""
        warnings.append(SiteError(path, line, message + more))
    return warnings


def site_files(
    url_scheme: UrlScheme,
    content_dir: Path,
    theme_static_dirs: Sequence[Path],  # least specific first
    metas: Iterable[DocumentMeta],
    published: Sequence[DocumentMeta],
) -> SiteFiles:
    """What links in bodies may point at: published documents, and why others are not."""
    shown = {id(m) for m in published}
    unpublished = {}
    for meta in metas:
        if id(meta) not in shown:
            if meta.draft:
                why = "a draft"
            elif meta.expires is None:
                why = f"dated in the future ({meta.date:%Y-%m-%d})"
            else:
                why = f"expiring {meta.expires:%Y-%m-%d} (or dated in the future)"
            unpublished[meta.source.real_path or meta.source.path.resolve()] = f"{why} and not published"
    content_static = content_dir / "static"
    return SiteFiles(
        urls=url_scheme,
        documents={(m.source.real_path or m.source.path.resolve()): m.path for m in published},
        unpublished=unpublished,
        static_dirs=(content_static, *reversed(theme_static_dirs)),
        content_static=content_static,
        old_urls={alias: m.path for m in published for alias in m.aliases},
    )


def link_environment(files: SiteFiles, folders: Iterable[Path]) -> str:
    """A digest of everything a link in a body could resolve against (see docrender.py)."""
    listing = []
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            listing.append((dirpath, tuple(sorted(filenames))))
    return digest_text(
        files.urls,
        sorted(map(str, files.documents.items())),
        sorted(map(str, files.unpublished.items())),
        sorted(files.old_urls.items()),
        files.static_dirs,
        listing,
    )


def canonical_tags(url_scheme: UrlScheme, published: Iterable[DocumentMeta]) -> dict[str, Tag]:
    """One Tag per slug; its name is the spelling most posts use (ties: alphabetical)."""
    spellings: dict[str, dict[str, int]] = {}
    for meta in published:
        for name in meta.tag_names:
            counts = spellings.setdefault(slugify(name), {})
            counts[name] = counts.get(name, 0) + 1
    tags = {}
    for slug, counts in spellings.items():
        name = sorted(counts, key=lambda n: (-counts[n], n))[0]
        tags[slug] = Tag(
            name=name,
            slug=slug,
            url=url_scheme.link(urls.tag_path(slug)),
            permalink=url_scheme.absolute(urls.tag_path(slug)),
            feed_url=url_scheme.link(urls.tag_feed_path(slug)),
        )
    return tags
