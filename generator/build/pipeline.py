"""The whole pipeline, and the only module that knows it.

config → sources → documents (front matter, Markdown) → library (order, tags, pages)
→ templates → an in-memory OutputPlan → writer.commit. Every stage collects its errors;
the build fails once, before anything is written, so a failed build leaves the previous
output exactly as it was. A fresh `Build` is made for every build; what may carry over
to the next one lives only in the `BuildCache`, keyed by everything it depends on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator import __version__
from generator.build import reading
from generator.build.assets import FINGERPRINTED_SUFFIXES, AssetLinks, collect_static, fingerprinted
from generator.build.compose import DocumentComposer, Fingerprints
from generator.build.docrender import missing_files
from generator.build.documents import DocumentMeta
from generator.build.letters import read_letters
from generator.build.library import newest_first
from generator.build.links import PlainLinks, SiteFiles
from generator.build.options import BuildOptions, BuildResult, resolve_output_dir
from generator.build.output.cache import BuildCache, digest_text
from generator.build.output.outputs import OutputMaker
from generator.build.output.staging import Staged, Staging
from generator.build.output.writer import Kept, OutputPlan, commit
from generator.build.pages import SitePages
from generator.build.templates import TemplateRenderer, ThemeStack, make_environment
from generator.markdown.markup import MarkdownRenderer
from generator.site import urls
from generator.site.config import SiteConfig, SiteLayout, load_config
from generator.site.errors import ErrorCollector, SiteError
from generator.site.model import Letter, Page, Post, Tag
from generator.site.urls import UrlScheme

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SiteView:
    """What templates see as `site`: settings with the menu resolved under the base path."""

    title: str
    description: str
    language: str
    author: Any
    base_url: str
    menu: tuple[Any, ...]
    inbox: Any
    extra: dict[str, Any]


@dataclass(frozen=True)
class SiteState:
    """What a finished build knew, so a preview can redo only an edited post's text (body_edits.py)."""

    build: Build  # its settings, templates, URLs and links (and `is_published`)
    metas: dict[str, DocumentMeta]  # source path (as discovered) → metadata, published or not
    posts: tuple[Post, ...]  # newest first
    tags: dict[str, Tag]  # slug → the tag as the site shows it
    letters: dict[str, list[Letter]]
    files: SiteFiles
    environment: str  # the link environment digest
    fingerprints: dict[str, Fingerprints]  # document path → fingerprints
    list_reads: frozenset[str]
    next_future: datetime | None  # the earliest date of a post not yet published


@dataclass(frozen=True)
class PlannedSite:
    """A finished build in memory: nothing is on disk until `write_site`."""

    output_dir: Path
    plan: OutputPlan
    warnings: tuple[SiteError, ...]
    started: float
    cache: BuildCache
    next_cache: BuildCache  # what the cache becomes once this plan is written
    rendered: int
    state: SiteState | None = None


def plan_site(
    config_file: Path, options: BuildOptions = BuildOptions(), cache: BuildCache | None = None
) -> PlannedSite:
    """Read and render the whole site; raise BuildFailed (having written nothing) on any error."""
    with without_cycle_collection():
        return _plan_site(config_file, options, cache)


def _plan_site(config_file: Path, options: BuildOptions, cache: BuildCache | None) -> PlannedSite:
    started = time.perf_counter()
    layout = SiteLayout(root=config_file.resolve().parent, config_file=config_file.resolve())
    config = load_config(config_file)
    if options.base_url:
        config = config.with_base_url(options.base_url)
    if options.inbox_endpoint is not None:
        inbox = dataclasses.replace(config.inbox, endpoint=options.inbox_endpoint)
        config = dataclasses.replace(config, inbox=inbox)
    output_dir = resolve_output_dir(layout, config, options.output_dir)
    cache = cache if cache is not None else BuildCache()
    build = Build(layout, config, options, cache, output_dir)
    try:
        plan, state = build.assemble()
    except BaseException:
        if build.staging is not None:
            build.staging.discard()
        raise
    return PlannedSite(
        output_dir,
        plan,
        tuple(build.errors.warnings),
        started,
        cache,
        build.next_cache,
        build.rendered,
        state,
    )


def write_site(planned: PlannedSite, *, full_prune: bool = False) -> BuildResult:
    """Bring the output folder in line with a planned site (only changed files are written).

    Files an earlier build made and this one does not are removed; files somebody else put
    in the output folder are left alone. Only a first build into a folder (no record of
    what was made there) or `full_prune` removes everything the plan does not hold.
    """
    with without_cycle_collection():
        return _write_site(planned, full_prune=full_prune)


def _write_site(planned: PlannedSite, *, full_prune: bool) -> BuildResult:
    if planned.state is not None:
        planned.state.build.options.progress.stage("writing")
    ledger = dict(planned.cache.ledgers.get(str(planned.output_dir), {}))
    stats = commit(planned.plan, planned.output_dir, ledger, full_prune=full_prune)
    # The files are on disk now: the plan keeps their digests, not their bytes (a preview
    # holds on to its last plan for the next rebuild).
    contents = planned.plan.contents
    for rel, content in contents.items():
        if isinstance(content, bytes | Staged) and rel in ledger:
            contents[rel] = Kept(ledger[rel].digest)
    # Only now does the cache describe the output: a build that failed to write keeps the old one.
    planned.next_cache.ledgers = {str(planned.output_dir): ledger}
    cache = planned.cache
    cache.sources, cache.bodies = planned.next_cache.sources, planned.next_cache.bodies
    cache.documents, cache.outputs = planned.next_cache.documents, planned.next_cache.outputs
    cache.templates = planned.next_cache.templates
    cache.list_reads = planned.next_cache.list_reads
    cache.stylesheets = planned.next_cache.stylesheets
    cache.ledgers = {**cache.ledgers, str(planned.output_dir): ledger}
    return BuildResult(
        output_dir=planned.output_dir,
        pages=sum(1 for rel in planned.plan.contents if rel.endswith(".html")),
        files=len(planned.plan.contents),
        stats=stats,
        warnings=planned.warnings,
        seconds=time.perf_counter() - planned.started,
        rendered=planned.rendered,
    )


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a build makes (and keeps) many objects.

    Each collection walks every live object, and a build holds the whole cache and site in
    memory: at 4,000 posts the collector took a third of a rebuild. A build leaves little
    cyclic garbage; what it leaves is collected once the collector runs again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Build:
    """One build: reads, renders and plans the output; `assemble` raises BuildFailed on errors."""

    def __init__(
        self,
        layout: SiteLayout,
        config: SiteConfig,
        options: BuildOptions,
        cache: BuildCache,
        output_dir: Path,
    ) -> None:
        self.layout, self.config, self.options, self.cache = layout, config, options, cache
        self.output_dir = output_dir
        self.progress = options.progress
        self.now = options.now or datetime.now(UTC)
        self.urls = UrlScheme(config.base_url)
        self.errors = ErrorCollector()
        self.plan = OutputPlan()
        self.staging = Staging.beside(layout.cache, output_dir)
        self.next_cache = BuildCache()
        self.rendered = 0
        self.themes = ThemeStack.for_site(layout.themes, config.theme)
        if not (layout.themes / config.theme).is_dir() and config.theme != "default":
            message = f"theme {config.theme!r} not found: no folder themes/{config.theme}/"
            self.errors.error(layout.config_file.name, None, message)
        self.markdown = MarkdownRenderer()

    def assemble(self) -> tuple[OutputPlan, SiteState]:
        self.errors.raise_if_any()
        self.static = collect_static([*self.themes.static_dirs, self.layout.content / "static"])
        self.highlight_css = self._highlight_css()
        self.assets = AssetLinks(self.urls, self._asset_names())
        self.global_key = self._global_key()
        # A preview keeps its compiled templates between builds while no template changed.
        self.renderer = self.cache.templates.get(self.global_key) or self._template_renderer()
        self.next_cache.templates = {self.global_key: self.renderer}
        metas_by_path = reading.read_documents(
            self.layout.root,
            self.layout.content,
            self.config.timezone,
            self.config.tz,
            self.cache.sources,
            self.next_cache.sources,
            self.errors,
            progress=self.progress,
        )
        metas = list(metas_by_path.values())
        published = [m for m in metas if self.is_published(m)]
        reading.check_unique_urls(published, self.errors)
        files = reading.site_files(self.urls, self.layout.content, self.themes.static_dirs, metas, published)
        composer = DocumentComposer(
            markdown=self.markdown,
            urls=self.urls,
            language=self.config.language,
            template_exists=self.renderer.exists,
            errors=self.errors,
            cache=self.cache,
            next_cache=self.next_cache,
            progress=self.progress,
        )
        tags = reading.canonical_tags(self.urls, published)
        environment = reading.link_environment(files, (self.layout.content, *self.themes.static_dirs))
        documents, fingerprints = composer.compose(published, files, tags, environment)
        posts = newest_first([d for d in documents if isinstance(d, Post)])
        pages = [d for d in documents if isinstance(d, Page)]
        letters = self._read_letters(posts)
        self.errors.raise_if_any()
        ledger = self.cache.ledgers.get(str(self.output_dir), {})
        maker = OutputMaker(
            self.plan,
            self.errors,
            self.cache.outputs,
            ledger,
            self.output_dir,
            self.global_key,
            trust_ledger=self.options.private_output,
            staging=self.staging,
        )
        site_pages = SitePages(
            maker,
            self.renderer,
            self.config,
            self.urls,
            self.layout.root,
            fingerprints,
            self.assets,
            list_reads=self.cache.list_reads.get(self.global_key, frozenset()),
            progress=self.progress,
        )
        site_pages.add_all(posts, pages, letters, self.static, self.highlight_css)
        self.errors.extend(missing_files(published, self.next_cache.bodies, self.urls, self.plan.contents))
        self.errors.raise_if_any()
        self.next_cache.list_reads = {self.global_key: site_pages.list_reads}
        self.next_cache.outputs = maker.recorded
        self.rendered = maker.rendered
        future = [m.date for m in metas if m.date is not None and m.date > self.now and not m.draft]
        state = SiteState(
            build=self,
            metas=metas_by_path,
            posts=tuple(posts),
            tags=tags,
            letters=letters,
            files=files,
            environment=environment,
            fingerprints=fingerprints,
            list_reads=site_pages.list_reads,
            next_future=min(future, default=None),
        )
        return self.plan, state

    def is_published(self, meta: DocumentMeta) -> bool:
        if self.options.drafts:
            return True
        return not meta.draft and not (meta.date is not None and meta.date > self.now)

    # -- rendering documents ----------------------------------------------------------------

    def _read_letters(self, posts: list[Post] | tuple[Post, ...]) -> dict[str, list[Letter]]:
        plain_links = PlainLinks(self.urls)
        letters = read_letters(
            self.layout.content,
            self.layout.root,
            self.config.tz,
            lambda text: self.markdown.render(text, plain_links).html,
            self.errors,
        )
        published = {post.slug for post in posts}
        return {slug: found for slug, found in letters.items() if slug in published}

    # -- templates ----------------------------------------------------------------------------

    def _template_renderer(self) -> TemplateRenderer:
        site = SiteView(
            title=self.config.title,
            description=self.config.description,
            language=self.config.language,
            author=self.config.author,
            base_url=self.config.base_url,
            menu=tuple(dataclasses.replace(item, url=self.urls.link(item.url)) for item in self.config.menu),
            inbox=self.config.inbox,
            extra=self.config.extra,
        )
        globals_ = {
            "site": site,
            "link": self.urls.link,
            "absolute": self.urls.absolute,
            "asset": self.assets,
            "feed_url": self.urls.link(urls.FEED_PATH),
            "drafts_shown": self.options.drafts,
        }
        env = make_environment(self.themes, globals_, bytecode_dir=self.layout.cache / "templates")
        return TemplateRenderer(env, self.layout.root)

    def _highlight_css(self) -> bytes | None:
        styles = (self.config.highlight.light, self.config.highlight.dark)
        css = self.cache.stylesheets.get(styles)
        if css is None:
            # Imported here: a rebuild with the stylesheet cached and no new code to
            # highlight never loads Pygments.
            from pygments.util import ClassNotFound

            from generator.markdown.highlight import stylesheet

            try:
                css = stylesheet(*styles).encode()
            except ClassNotFound as exc:
                self.errors.error(
                    self.layout.config_file.name, None, f"unknown Pygments style in highlight: {exc}"
                )
                return None
        self.next_cache.stylesheets[styles] = css
        return css

    def _asset_names(self) -> dict[str, str]:
        """Fingerprinted names of the stylesheets and scripts (see assets.py)."""
        if not self.options.fingerprint_assets:
            return {}
        names = {
            rel: fingerprinted(rel, path.read_bytes())
            for rel, path in self.static.items()
            if rel.endswith(FINGERPRINTED_SUFFIXES)
        }
        if self.highlight_css is not None:
            names[urls.HIGHLIGHT_CSS_PATH] = fingerprinted(urls.HIGHLIGHT_CSS_PATH, self.highlight_css)
        return names

    def _global_key(self) -> str:
        """What every generated page depends on: settings, options and every template's text."""
        templates = []
        for folder in self.themes.template_dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    templates.append((str(path), path.read_bytes()))
        return digest_text(__version__, self.config, self.options.drafts, templates, self.assets.names)
