"""The build a check reads, and what the build knows that the output does not say.

`fireside check` builds the site as it would be published (no drafts, no future posts)
into a folder of its own in `.fireside-cache/`, and `fireside publish` into the output
folder: both through the build's cache and stamp, so a site that has not changed is not
built again, and an edit only rebuilds what it touches (build/incremental.py).

A check also needs what the build knew: which source made each output file, every link
the build wrote from a Markdown source with its line, and which posts are drafts or not
yet due. That `SiteMap` is a view of the site the build has just planned, kept while the
check runs; nothing of it is written down. When the build had nothing to do (its stamp
said nothing changed) and the check still has to read the folder (its remembered report
does not hold: `--external`, a lost memory), the site is planned again from the build's
cache, which renders and writes nothing that is still right (`CheckBuild.plan_again`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from generator.build.incremental import build_site
from generator.build.options import BuildOptions, BuildResult
from generator.build.output import stamp
from generator.check.leaks import Unpublished
from generator.site.config import SiteConfig, SiteLayout
from generator.site.errors import ErrorCollector

if TYPE_CHECKING:  # the pipeline is imported only when a build runs
    from generator.build.docrender import LinkAnswer
    from generator.build.documents import DocumentMeta
    from generator.build.output.writer import Origin
    from generator.build.pipeline import PlannedSite
    from generator.site.urls import UrlScheme

CHECK_STAMP = "last-check.stamp"  # the stamp of the check's own build, beside the build's

# (inode, size, mtime_ns) of a stamp file: a new stamp is a new file (written atomically).
Identity = tuple[int, int, int]


class SiteMap:
    """What one build knew about its output, for tracing problems to sources: a view of the
    planned site, each entry made when first asked for (a check after an edit asks for few
    of the 4,500 output files and 15,000 links of a 4,000-post site)."""

    def __init__(
        self,
        origins: Mapping[str, Origin],
        links: Callable[[], Mapping[str, tuple[int, Sequence[LinkAnswer]]]],
        urls: UrlScheme | None,
        unpublished: tuple[Unpublished, ...],
    ) -> None:
        # output file → (source as the build names it, line)
        self.origins: Mapping[str, tuple[str, int | None]] = _Origins(origins)
        # Markdown source → (line, absolute URL, URL as written) of each link the build wrote
        # from it; `links` gives each source's first body line and its body's link answers.
        self.answers: Mapping[str, tuple[tuple[int, str, str], ...]] = _Written(links, urls)
        self.unpublished = unpublished  # drafts and future posts, which must not be in it


class _Origins(Mapping[str, tuple[str, int | None]]):
    def __init__(self, origins: Mapping[str, Origin]) -> None:
        self._origins = origins

    def __getitem__(self, rel: str) -> tuple[str, int | None]:
        origin = self._origins[rel]
        return _posix(origin.path), origin.line

    def __iter__(self) -> Iterator[str]:
        return iter(self._origins)

    def __len__(self) -> int:
        return len(self._origins)


class _Written(Mapping[str, tuple[tuple[int, str, str], ...]]):
    """The links each source wrote, with their absolute URLs, made once per source asked."""

    def __init__(
        self, links: Callable[[], Mapping[str, tuple[int, Sequence[LinkAnswer]]]], urls: UrlScheme | None
    ) -> None:
        self._find_links = links
        self._links: Mapping[str, tuple[int, Sequence[LinkAnswer]]] | None = None
        self._urls = urls
        self._made: dict[str, tuple[tuple[int, str, str], ...]] = {}

    @property
    def _by_source(self) -> Mapping[str, tuple[int, Sequence[LinkAnswer]]]:
        if self._links is None:
            self._links = self._find_links()
        return self._links

    def __getitem__(self, source: str) -> tuple[tuple[int, str, str], ...]:
        found = self._made.get(source)
        if found is None:
            first_line, answers = self._by_source[source]
            found = self._made[source] = tuple(self._written(first_line, answers))
        return found

    def _written(self, first_line: int, answers: Sequence[LinkAnswer]) -> Iterator[tuple[int, str, str]]:
        assert self._urls is not None  # (no links without a site)
        base, origin = self._urls.base_url, self._urls.origin
        for asked in answers:
            url = asked.answer
            if asked.kind != "resolve" or not url:
                continue
            line = first_line + (asked.line or 1) - 1
            if url[0] == "/" and url[1:2] != "/" and "/." not in url:
                yield line, origin + url, asked.url  # urljoin's answer, at a fraction of its cost
                continue
            try:
                yield line, urljoin(base, url), asked.url
            except ValueError:
                continue

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_source)

    def __len__(self) -> int:
        return len(self._by_source)


def stamp_identity(path: Path) -> Identity | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns)


@dataclass
class CheckBuild:
    """A build made for a check: its result, the stamp it left, and its site map if it planned."""

    config_file: Path
    options: BuildOptions
    stamp_name: str
    result: BuildResult
    identity: Identity | None
    made: SiteMap | None  # None: the site was up to date, nothing was planned

    def plan_again(self) -> SiteMap:
        """The site map of a site that was up to date: planned again from the cache (nothing
        that is still right is rendered or written again); the stamp is made anew."""
        made: list[SiteMap] = []
        self.result = build_site(
            self.config_file,
            self.options,
            stamp_name=self.stamp_name,
            on_planned=lambda planned: made.append(site_map(planned)),
            trust_stamp=False,
        )
        self.identity = stamp_identity(_stamp_file(self.config_file, self.stamp_name))
        self.made = made[-1]
        return self.made


def build_for_check(config_file: Path, options: BuildOptions, stamp_name: str) -> CheckBuild:
    """Build as `fireside build` does (not at all when the stamp says nothing changed)."""
    made: list[SiteMap] = []
    result = build_site(
        config_file,
        options,
        stamp_name=stamp_name,
        on_planned=lambda planned: made.append(site_map(planned)),
    )
    identity = stamp_identity(_stamp_file(config_file, stamp_name))
    return CheckBuild(config_file, options, stamp_name, result, identity, made[-1] if made else None)


def _stamp_file(config_file: Path, stamp_name: str) -> Path:
    return SiteLayout(config_file.resolve().parent, config_file.resolve()).cache / stamp_name


def site_map(planned: PlannedSite) -> SiteMap:
    """The site map of a planned site: it holds on to the plan's origins, the metas and the
    rendered bodies (no copy is made), as long as the check needs it."""
    state = planned.state
    if state is None:
        return SiteMap(planned.plan.origins, lambda: {}, None, ())  # no documents, no links
    build = state.build
    published: list[DocumentMeta] = []
    hidden: list[DocumentMeta] = []
    for meta in state.metas.values():
        (published if build.is_published(meta) else hidden).append(meta)
    bodies = planned.next_cache.bodies

    def links() -> dict[str, tuple[int, Sequence[LinkAnswer]]]:
        found = {}
        for meta in published:
            rendered = bodies.get(meta.body_key)
            if rendered is not None:
                found[meta.source.rel.as_posix()] = (meta.source.body_line, rendered[1].answers)
        return found

    unpublished = _unpublished(hidden, {meta.path for meta in published}, build.now) if hidden else []
    return SiteMap(planned.plan.origins, links, build.urls, tuple(unpublished))


def _posix(path: PurePath | str) -> str:
    """A path as POSIX text; one already a path object is not parsed again (a trace that
    searches every source asks for the origin of every output file: 4,500 at 4,000 posts)."""
    return path.as_posix() if isinstance(path, PurePath) else Path(path).as_posix()


def unpublished_of(
    metas: Iterable[DocumentMeta], is_published: Callable[[DocumentMeta], bool], now: datetime
) -> list[Unpublished]:
    """Drafts, future and expired posts, minus paths that a published document has."""
    published: set[str] = set()
    hidden: list[DocumentMeta] = []
    for meta in metas:
        if is_published(meta):
            published.add(meta.path)
        else:
            hidden.append(meta)
    return _unpublished(hidden, published, now)


def _unpublished(hidden: Iterable[DocumentMeta], published: Set[str], now: datetime) -> list[Unpublished]:
    found: list[Unpublished] = []
    for meta in hidden:
        rel = meta.source.rel.as_posix()
        title = meta.title or meta.slug
        if meta.draft:
            key = "draft" if "draft" in meta.source.meta_lines else "published"
            why = f"draft {title!r}"
            found.append(Unpublished(rel, meta.source.line_of(key), meta.path, meta.title, why))
        elif meta.date is not None and meta.date > now:
            why = f"future post {title!r} (dated {meta.date:%Y-%m-%d})"
            found.append(Unpublished(rel, meta.source.line_of("date"), meta.path, meta.title, why))
        elif meta.expires is not None and meta.expires <= now:
            why = f"expired post {title!r} (expired {meta.expires:%Y-%m-%d})"
            found.append(Unpublished(rel, meta.source.line_of("expiryDate"), meta.path, meta.title, why))
    return [doc for doc in found if doc.path not in published]


def read_unpublished(
    layout: SiteLayout, config: SiteConfig, now: datetime
) -> tuple[list[Unpublished], datetime | None]:
    """Drafts, future and expired posts, read the way the build reads them (for a folder
    built elsewhere), and the first date the list changes by itself (a post comes or goes)."""
    from generator.build.reading import read_site  # only a folder built elsewhere needs it

    errors = ErrorCollector()  # unreadable sources are the build's to report, not ours
    _, _, _, metas = read_site(layout.root, config, {}, {}, errors)

    def is_published(meta: DocumentMeta) -> bool:
        expired = meta.expires is not None and meta.expires <= now
        return not meta.draft and not expired and not (meta.date is not None and meta.date > now)

    dates = [m.date for m in metas.values() if m.date is not None and m.date > now and not m.draft]
    dates += [m.expires for m in metas.values() if m.expires is not None and m.expires > now]
    return unpublished_of(metas.values(), is_published, now), min(dates, default=None)


def sources_state(layout: SiteLayout) -> tuple[stamp.Entry, ...]:
    """The state of everything a list of drafts is read from (see stamp.snapshot)."""
    return stamp.snapshot([layout.config_file], [layout.content])
