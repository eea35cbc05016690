"""The whole pipeline, and the only module that knows it.

config → sources → documents (front matter, Markdown) → library (order, tags, pages)
→ templates → an in-memory OutputPlan → writer.commit. Every stage collects its errors;
the build fails once, before anything is written, so a failed build leaves the previous
output exactly as it was. A fresh `Build` is made for every build; what may carry over
to the next one lives only in the `BuildCache`, keyed by everything it depends on.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from generator.build import reading
from generator.build.assets import AssetLinks, collect_static
from generator.build.compose import DocumentComposer, Fingerprints
from generator.build.docrender import missing_files
from generator.build.documents import DocumentMeta
from generator.build.gc_pause import without_cycle_collection
from generator.build.letters import read_letters
from generator.build.library import newest_first, with_letter_ids
from generator.build.links import PlainLinks, SiteFiles
from generator.build.options import BuildOptions, BuildResult, LeftOut
from generator.build.output.cache import BuildCache
from generator.build.output.outputs import OutputMaker
from generator.build.output.ownership import FolderRefused, claim_folder
from generator.build.output.pagestore import PageStore
from generator.build.output.staging import Staged, Staging
from generator.build.output.writer import Kept, OutputPlan, commit
from generator.build.page_environment import asset_names, global_key, highlight_css, template_renderer
from generator.build.pages import SitePages
from generator.build.places import left_alone_warning, output_label, refusal, resolve_output_dir
from generator.build.sections import section_listings
from generator.build.templates import ThemeStack
from generator.markdown.markup import MarkdownRenderer
from generator.site.config import SiteConfig, SiteLayout, load_config
from generator.site.errors import ErrorCollector, SiteError
from generator.site.files import report_links_out
from generator.site.model import Letter, Page, Person, Post, Tag
from generator.site.urls import UrlScheme

log = logging.getLogger(__name__)


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
    # Drafts and scheduled posts this build did not publish.
    left_out: LeftOut = dataclasses.field(default_factory=LeftOut)


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
    clean: bool = False  # remove what the output folder holds that the plan does not (--clean)


def plan_site(
    config_file: Path,
    options: BuildOptions = BuildOptions(),
    cache: BuildCache | None = None,
    store: PageStore | None = None,
) -> PlannedSite:
    """Read and render the whole site; raise BuildFailed (having written nothing) on any error.

    `store`: the bytes of pages earlier builds made (pagestore.py), for outputs whose key is
    unchanged but whose file the output folder lacks; rendered files are added to it."""
    with without_cycle_collection():
        return _plan_site(config_file, options, cache, store)


def _plan_site(
    config_file: Path, options: BuildOptions, cache: BuildCache | None, store: PageStore | None
) -> PlannedSite:
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
    try:  # refused before anything is rendered; commit asks again when it writes
        claim_folder(output_dir, recorded=bool(cache.ledgers.get(str(output_dir))), clean=options.clean)
    except FolderRefused as refused:
        raise refusal(refused, output_label(layout, config, options.output_dir)) from None
    build = Build(layout, config, options, cache, output_dir, store)
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
        options.clean,
    )


def write_site(planned: PlannedSite) -> BuildResult:
    """Bring the output folder in line with a planned site (only changed files are written).

    Files an earlier build made and this one does not are removed; files somebody else put
    in the output folder are left alone (unless the plan is `clean`), and a folder with
    files of others and no sign of Fireside is refused (output/ownership.py). All or
    nothing: a write that fails leaves the folder as it was (OutputWriteFailed).
    """
    with without_cycle_collection():
        return _write_site(planned)


def _write_site(planned: PlannedSite) -> BuildResult:
    if planned.state is not None:
        planned.state.build.options.progress.stage("writing")
    ledger = dict(planned.cache.ledgers.get(str(planned.output_dir), {}))
    try:
        stats = commit(planned.plan, planned.output_dir, ledger, clean=planned.clean)
    except FolderRefused as refused:
        raise refusal(refused, None) from None
    log.info(
        "wrote %d files into %s (%d unchanged, %d removed)",
        stats.written,
        planned.output_dir,
        stats.unchanged,
        stats.removed,
    )
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
    warnings = planned.warnings
    if stats.left_alone:
        warnings += (left_alone_warning(planned.output_dir, stats.left_alone),)
    return BuildResult(
        output_dir=planned.output_dir,
        pages=sum(1 for rel in planned.plan.contents if rel.endswith(".html")),
        files=len(planned.plan.contents),
        stats=stats,
        warnings=warnings,
        seconds=time.perf_counter() - planned.started,
        rendered=planned.rendered,
        left_out=planned.state.left_out if planned.state is not None else LeftOut(),
    )


class Build:
    """One build: reads, renders and plans the output; `assemble` raises BuildFailed on errors."""

    def __init__(
        self,
        layout: SiteLayout,
        config: SiteConfig,
        options: BuildOptions,
        cache: BuildCache,
        output_dir: Path,
        store: PageStore | None = None,
    ) -> None:
        self.layout, self.config, self.options, self.cache = layout, config, options, cache
        self.output_dir = output_dir
        self.store = store
        self.progress = options.progress
        self.now = options.now or datetime.now(UTC)
        self.urls = UrlScheme(config.base_url)
        self.errors = ErrorCollector()
        self.plan = OutputPlan()
        self.staging = Staging.beside(layout.cache, output_dir)
        self.next_cache = BuildCache()
        self.rendered = 0
        self.themes = ThemeStack.for_site(layout.themes, config.theme)
        # Before anything is read: no link may lead the build out of the site (see site.files).
        site_folders = (layout.content, layout.themes / config.theme, layout.themes / "default")
        report_links_out(layout.root, site_folders, self.errors)
        if not (layout.themes / config.theme).is_dir() and config.theme != "default":
            message = f"theme {config.theme!r} not found: no folder themes/{config.theme}/"
            self.errors.error(layout.config_file.name, None, message)
        self.markdown = MarkdownRenderer(heading_ids=config.markdown.heading_ids)

    def assemble(self) -> tuple[OutputPlan, SiteState]:
        self.errors.raise_if_any()
        self.static = collect_static([*self.themes.static_dirs, self.layout.content / "static"])
        self.highlight_css = highlight_css(
            self.config.highlight, self.layout.config_file, self.cache, self.next_cache, self.errors
        )
        names = asset_names(self.static, self.highlight_css, self.options.fingerprint_assets)
        self.assets = AssetLinks(self.urls, names)
        self.global_key = global_key(self.themes, self.config, self.options.drafts, self.assets.names)
        # A preview keeps its compiled templates between builds while no template changed.
        self.renderer = self.cache.templates.get(self.global_key) or template_renderer(
            self.layout, self.config, self.themes, self.urls, self.assets, self.options.drafts
        )
        self.next_cache.templates = {self.global_key: self.renderer}
        listing, self.read_settings, self.sections, metas_by_path = reading.read_site(
            self.layout.root,
            self.config,
            self.cache.sources,
            self.next_cache.sources,
            self.errors,
            progress=self.progress,
        )
        metas = list(metas_by_path.values())
        published = [m for m in metas if self.is_published(m)]
        log.info("read %d posts and pages (%d to publish)", len(metas), len(published))
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
            site_author=self.site_author,
            progress=self.progress,
            park_in=self.layout.cache,
        )
        tags = reading.canonical_tags(self.urls, published)
        environment = reading.link_environment(files, (self.layout.content, *self.themes.static_dirs))
        documents, fingerprints = composer.compose(published, files, tags, environment)
        posts = with_letter_ids(newest_first([d for d in documents if isinstance(d, Post)]))
        pages = [d for d in documents if isinstance(d, Page)]
        letters = self._read_letters(posts, metas)
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
            store=self.store,
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
        plain = PlainLinks(self.urls)
        listed = section_listings(
            posts,
            listing.folders,
            self.sections,
            self.read_settings.permalinks,
            self.urls,
            lambda text: self.markdown.render(text, plain).html,
            self.errors.warnings,
        )
        site_pages.add_all(posts, pages, letters, self.static, self.highlight_css, listed)
        self.errors.extend(missing_files(published, self.next_cache.bodies, self.urls, self.plan.contents))
        self.errors.raise_if_any()
        log.info(
            "planned %d output files: %d made by this build, %d taken from the page store, "
            "the rest as the last build left them",
            len(self.plan.contents),
            maker.rendered,
            self.store.taken if self.store is not None else 0,
        )
        self.next_cache.list_reads = {self.global_key: site_pages.list_reads}
        self.next_cache.outputs = maker.recorded
        self.rendered = maker.rendered
        future = [m.date for m in metas if m.date is not None and m.date > self.now and not m.draft]
        left_out = LeftOut()
        if not self.options.drafts:
            left_out = LeftOut(sum(1 for m in metas if m.draft), len(future), min(future, default=None))
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
            left_out=left_out,
        )
        return self.plan, state

    @property
    def site_author(self) -> Person:
        author = self.config.author
        return Person(author.name, author.email, author.url)

    def is_published(self, meta: DocumentMeta) -> bool:
        if self.options.drafts:
            return True
        expired = meta.expires is not None and meta.expires <= self.now
        return not meta.draft and not expired and not (meta.date is not None and meta.date > self.now)

    # -- rendering documents ----------------------------------------------------------------

    def _read_letters(
        self, posts: list[Post] | tuple[Post, ...], metas: list[DocumentMeta]
    ) -> dict[str, list[Letter]]:
        plain_links = PlainLinks(self.urls)
        # Every post, published or not, and the slugs its aliases remember (see read_letters).
        post_slugs = {meta.slug for meta in metas if meta.kind == "post"}
        old_slugs = {
            alias.rstrip("/").rsplit("/", 1)[-1]: meta.slug
            for meta in metas
            if meta.kind == "post"
            for alias in meta.aliases
        }
        letters = read_letters(
            self.layout.content,
            self.layout.root,
            self.config.tz,
            lambda text: self.markdown.render(text, plain_links).html,
            self.errors,
            post_slugs,
            old_slugs,
        )
        published = {post.letter_id for post in posts}
        return {slug: found for slug, found in letters.items() if slug in published}
