"""The whole pipeline, and the only module that knows it (layer 4).

config → sources → documents (front matter, Markdown) → library (order, tags, pages)
→ templates → an in-memory OutputPlan → writer.commit. Every stage collects its errors;
the build fails once, before anything is written, so a failed build leaves the previous
output exactly as it was. A fresh `Build` is made for every build: no state survives.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pygments.util import ClassNotFound

from generator import feeds, library, urls
from generator.config import SiteConfig, SiteLayout, load_config
from generator.documents import DocumentMeta, guess_title, read_meta, take_leading_heading
from generator.errors import BuildFailed, ErrorCollector, SiteError
from generator.highlight import stylesheet
from generator.letters import read_letters
from generator.links import DocumentLinks, PlainLinks, SiteFiles
from generator.manifest import MANIFEST_PATH, ManifestPost, manifest_bytes
from generator.markup import MarkdownRenderer
from generator.model import Document, Letter, Page, Post, Tag
from generator.render import TemplateRenderer, ThemeStack, isodate, make_environment, readable_date
from generator.slugs import slugify
from generator.sources import discover, is_ignored, read_source
from generator.urls import UrlScheme, absolutize
from generator.writer import Origin, OutputPlan, WriteStats, commit

log = logging.getLogger(__name__)

WORDS_PER_MINUTE = 230


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False  # include drafts and future posts
    output_dir: Path | None = None  # default: site.yaml's output_dir, under the site root
    base_url: str | None = None  # override site.yaml's base_url (previews, staging)
    now: datetime | None = None  # what "the future" is measured against; default: the clock
    inbox_endpoint: str | None = None  # override site.yaml's inbox.endpoint (the preview's own)


@dataclass(frozen=True)
class BuildResult:
    output_dir: Path
    pages: int  # HTML pages rendered
    files: int
    stats: WriteStats
    warnings: tuple[SiteError, ...]
    seconds: float


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


class BuildCache:
    """Work kept between builds of one process (`fireside serve`), so an edit re-does little.

    Only pure results are kept, keyed by everything they depend on; a build that finds no
    entry computes the result exactly as a cold build would.
    """

    def __init__(self) -> None:
        self.entries: dict[object, object] = {}


@dataclass(frozen=True)
class PlannedSite:
    """A finished build in memory: nothing is on disk until `write_site`."""

    output_dir: Path
    plan: OutputPlan
    warnings: tuple[SiteError, ...]
    started: float


def plan_site(
    config_file: Path, options: BuildOptions = BuildOptions(), cache: BuildCache | None = None
) -> PlannedSite:
    """Read and render the whole site; raise BuildFailed (having written nothing) on any error."""
    started = time.perf_counter()
    layout = SiteLayout(root=config_file.resolve().parent, config_file=config_file.resolve())
    config = load_config(config_file)
    if options.base_url:
        config = config.with_base_url(options.base_url)
    if options.inbox_endpoint is not None:
        config = dataclasses.replace(
            config, inbox=dataclasses.replace(config.inbox, endpoint=options.inbox_endpoint)
        )
    output_dir = resolve_output_dir(layout, config, options.output_dir)
    build = Build(layout, config, options, cache or BuildCache())
    plan = build.assemble()
    return PlannedSite(output_dir, plan, tuple(build.errors.warnings), started)


def write_site(planned: PlannedSite) -> BuildResult:
    """Bring the output folder in line with a planned site (only changed files are written)."""
    stats = commit(planned.plan, planned.output_dir)
    return BuildResult(
        output_dir=planned.output_dir,
        pages=sum(1 for rel in planned.plan.contents if rel.endswith(".html")),
        files=len(planned.plan.contents),
        stats=stats,
        warnings=planned.warnings,
        seconds=time.perf_counter() - planned.started,
    )


def build_site(config_file: Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build the site whose settings are `config_file` into its output folder."""
    return write_site(plan_site(config_file, options))


def resolve_output_dir(layout: SiteLayout, config: SiteConfig, override: Path | None) -> Path:
    """The output folder, refused where pruning it could destroy the author's own files."""
    chosen = override if override is not None else Path(config.output_dir)
    output = (layout.root / chosen).resolve() if not chosen.is_absolute() else chosen.resolve()
    root = layout.root.resolve()
    forbidden = {
        "the site folder itself": root,
        "content/": layout.content.resolve(),
        "themes/": layout.themes.resolve(),
        "the build cache": layout.cache.resolve(),
    }
    problem = None
    if root.is_relative_to(output):
        problem = "it contains the site (or is the site folder itself)"
    for label, place in forbidden.items():
        if output == place or (output.is_relative_to(place) and place != root):
            problem = f"it is inside {label}"
    if output.exists() and not output.is_dir():
        problem = "it is a file"
    if problem:
        where = "--output" if override is not None else layout.config_file.name
        raise BuildFailed(
            [
                SiteError(
                    where,
                    None,
                    f"refusing output folder {output}: {problem}; "
                    "everything in it that the build does not make is deleted",
                )
            ]
        )
    return output


class Build:
    """One build: reads, renders and plans the output; `assemble` raises BuildFailed on errors."""

    def __init__(
        self, layout: SiteLayout, config: SiteConfig, options: BuildOptions, cache: BuildCache
    ) -> None:
        self.cache = cache
        self.layout = layout
        self.config = config
        self.options = options
        self.now = options.now or datetime.now(UTC)
        self.urls = UrlScheme(config.base_url)
        self.errors = ErrorCollector()
        self.plan = OutputPlan()
        self.themes = ThemeStack.for_site(layout.themes, config.theme)
        if not (layout.themes / config.theme).is_dir() and config.theme != "default":
            self.errors.error(
                layout.config_file.name,
                None,
                f"theme {config.theme!r} not found: no folder themes/{config.theme}/",
            )
        self.markdown = MarkdownRenderer()

    # -- the pipeline -------------------------------------------------------------------

    def assemble(self) -> OutputPlan:
        self.errors.raise_if_any()
        metas = self._read_documents()
        published = [m for m in metas if self._is_published(m)]
        self._check_unique_slugs(published)
        self.renderer = self._template_renderer()
        files = self._site_files(metas, published)
        tags = self._canonical_tags(published)
        documents = [doc for meta in published if (doc := self._render_document(meta, files, tags))]
        posts = library.newest_first([d for d in documents if isinstance(d, Post)])
        pages = [d for d in documents if isinstance(d, Page)]
        self.letters = self._read_letters(posts)
        self.errors.raise_if_any()
        self._add_static_files()
        self._render_pages(self.renderer, posts, pages)
        self._add_xml(posts, pages)
        self.errors.raise_if_any()
        return self.plan

    def _read_documents(self) -> list[DocumentMeta]:
        metas = []
        for path, kind in discover(self.layout.content):
            rel = path.relative_to(self.layout.root)
            source = read_source(path, rel, kind, self.errors)
            if source is None:
                continue
            meta = read_meta(source, self.config.tz, self.errors)
            if meta is not None:
                if meta.date_guessed_from:
                    self.errors.warn(rel, None, f"no date in front matter: using {meta.date_guessed_from}")
                metas.append(meta)
        return metas

    def _is_published(self, meta: DocumentMeta) -> bool:
        if self.options.drafts:
            return True
        return not meta.draft and not (meta.date is not None and meta.date > self.now)

    def _check_unique_slugs(self, published: list[DocumentMeta]) -> None:
        seen: dict[str, DocumentMeta] = {}
        for meta in published:
            first = seen.setdefault(meta.path, meta)
            if first is not meta:
                self.errors.error(
                    meta.source.rel,
                    meta.source.line_of("slug"),
                    f"two pages with the same URL /{meta.path}: {first.source.rel} has it too",
                )

    def _site_files(self, metas: list[DocumentMeta], published: list[DocumentMeta]) -> SiteFiles:
        shown = {id(m) for m in published}
        unpublished = {}
        for meta in metas:
            if id(meta) not in shown:
                why = "a draft" if meta.draft else f"dated in the future ({meta.date:%Y-%m-%d})"
                unpublished[meta.source.path.resolve()] = f"{why} and not published"
        content_static = self.layout.content / "static"
        return SiteFiles(
            urls=self.urls,
            documents={m.source.path.resolve(): m.path for m in published},
            unpublished=unpublished,
            static_dirs=(content_static, *reversed(self.themes.static_dirs)),
            content_static=content_static,
        )

    def _canonical_tags(self, published: list[DocumentMeta]) -> dict[str, Tag]:
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
                url=self.urls.link(urls.tag_path(slug)),
                permalink=self.urls.absolute(urls.tag_path(slug)),
                feed_url=self.urls.link(urls.tag_feed_path(slug)),
            )
        return tags

    def _render_document(self, meta: DocumentMeta, files: SiteFiles, tags: dict[str, Tag]) -> Document | None:
        source = meta.source
        template = meta.template or ("post.html" if source.kind == "post" else "page.html")
        if not self.renderer.exists(template):
            self.errors.error(source.rel, source.line_of("template"), f"unknown template {template!r}")
            return None
        links = DocumentLinks(files, source, self.errors)
        title, body = meta.title, source.body
        if title is None:
            # A file without a title in front matter: its `# Heading` is the title (shown
            # once, by the template), else its first line.
            title, body = take_leading_heading(body)
            title = title or guess_title(body)
            if title is None:
                self.errors.error(
                    source.rel, 1, "no title: add `title:` to the front matter or a `# Heading`"
                )
                return None
            self.errors.warn(source.rel, 1, f"no title in front matter: using {title!r}")
        rendered = self.markdown.render(body, links)
        summary_html = rendered.summary_html
        description = meta.description
        if meta.summary:
            summary_html = f"<p>{self.markdown.render_inline(meta.summary, links)}</p>"
            description = description or meta.summary
        description = (description or rendered.description or title).strip()
        common: dict[str, Any] = dict(
            source=source.rel,
            slug=meta.slug,
            title=title,
            path=meta.path,
            url=self.urls.link(meta.path),
            permalink=self.urls.absolute(meta.path),
            content=Markup(rendered.html),
            toc=rendered.toc,
            description=description,
            lang=meta.lang or self.config.language,
            draft=meta.draft,
            aliases=meta.aliases,
            assets=source.assets,
            extra=meta.extra,
            template=template,
        )
        if source.kind == "page":
            return Page(**common)
        return Post(
            **common,
            date=meta.date,
            updated=meta.updated,
            tags=tuple(dict.fromkeys(tags[slugify(n)] for n in meta.tag_names)),
            summary=Markup(absolutize(summary_html, self.urls.link(meta.path))),  # shown on other pages
            word_count=rendered.word_count,
            reading_minutes=max(1, math.ceil(rendered.word_count / WORDS_PER_MINUTE)),
        )

    def _read_letters(self, posts: tuple[Post, ...]) -> dict[str, list[Letter]]:
        plain_links = PlainLinks(self.urls)
        letters = read_letters(
            self.layout.content,
            self.layout.root,
            self.config.tz,
            lambda text: self.markdown.render(text, plain_links).html,
            self.errors,
        )
        published = {post.slug for post in posts}
        for slug in sorted(set(letters) - published):
            if not self.options.drafts:
                log.info("letters for %s are not shown: no such published post", slug)
        return {slug: found for slug, found in letters.items() if slug in published}

    # -- output -------------------------------------------------------------------------

    def _add(self, rel: str, content: bytes | Path, origin: Origin, *, replace: bool = False) -> None:
        error = self.plan.add(rel, content, origin, replace=replace)
        if error is not None:
            self.errors.add(error)

    def _add_static_files(self) -> None:
        layers = [*self.themes.static_dirs, self.layout.content / "static"]
        for layer in layers:
            if not layer.is_dir():
                continue
            for path in sorted(layer.rglob("*")):
                rel_parts = path.relative_to(layer).parts
                if path.is_file() and not any(is_ignored(part) for part in rel_parts):
                    origin = Origin(self._display(path))
                    self._add(path.relative_to(layer).as_posix(), path, origin, replace=True)
        try:
            css = stylesheet(self.config.highlight.light, self.config.highlight.dark).encode()
        except ClassNotFound as exc:
            self.errors.error(
                self.layout.config_file.name, None, f"unknown Pygments style in highlight: {exc}"
            )
            return
        self._add(urls.HIGHLIGHT_CSS_PATH, css, Origin("highlight settings in site.yaml"), replace=True)

    def _display(self, path: Path) -> str:
        resolved = path.resolve()
        root = self.layout.root.resolve()
        return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(resolved)

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
            "asset": self.urls.link,
            "feed_url": self.urls.link(urls.FEED_PATH),
            "drafts_shown": self.options.drafts,
        }
        env = make_environment(self.themes, globals_, {"readable_date": readable_date, "isodate": isodate})
        return TemplateRenderer(env, self.layout.root)

    def _page(
        self, renderer: TemplateRenderer, template: str, path: str, origin: Origin, **context: Any
    ) -> None:
        context.setdefault("canonical", self.urls.absolute(path))
        context.setdefault("description", self.config.description)
        try:
            html = renderer.render(template, context)
        except SiteError as exc:
            self.errors.add(exc)
            return
        self._add(urls.index_file(path), html.encode("utf-8"), origin)

    def _render_pages(self, renderer: TemplateRenderer, posts: tuple[Post, ...], pages: list[Page]) -> None:
        around = library.neighbours(posts)
        for doc in (*posts, *pages):
            kind = "post" if isinstance(doc, Post) else "page"
            extra: dict[str, Any] = (
                {
                    "post": doc,
                    "neighbours": around[doc.slug],
                    "letters": tuple(self.letters.get(doc.slug, ())),
                }
                if isinstance(doc, Post)
                else {"page": doc}
            )
            self._page(
                renderer,
                doc.template,
                doc.path,
                Origin(doc.source),
                page_kind=kind,
                page_title=doc.title,
                description=doc.description,
                **extra,
            )
            self._add_document_files(doc)
        home_urls = [
            self.urls.link(urls.home_path(n))
            for n in range(1, library.page_count(len(posts), self.config.per_page) + 1)
        ]
        for chunk, paginator in library.paginate(posts, self.config.per_page, home_urls):
            title = self.config.title if paginator.number == 1 else f"Page {paginator.number}"
            self._page(
                renderer,
                "home.html",
                urls.home_path(paginator.number),
                Origin("home page"),
                page_kind="home",
                page_title=title,
                posts=chunk,
                paginator=paginator,
            )
        listings = library.tag_listings(posts)
        self._page(
            renderer,
            "tags.html",
            urls.TAGS_PATH,
            Origin("tag index"),
            page_kind="tags",
            page_title="Tags",
            tags=listings,
        )
        for listing in listings:
            self._page(
                renderer,
                "tag.html",
                urls.tag_path(listing.tag.slug),
                Origin(f"tag {listing.tag.name!r}"),
                page_kind="tag",
                page_title=f"Tagged “{listing.tag.name}”",
                tag=listing.tag,
                posts=listing.posts,
            )
        self._page(
            renderer,
            "archive.html",
            urls.ARCHIVE_PATH,
            Origin("archive"),
            page_kind="archive",
            page_title="Archive",
            years=library.year_listings(posts),
        )
        self._page(
            renderer,
            "404.html",
            urls.NOT_FOUND_PATH,
            Origin("404 page"),
            page_kind="404",
            page_title="Page not found",
        )
        if renderer.exists("thanks.html"):  # where the letter form's no-JavaScript path lands
            self._page(
                renderer,
                "thanks.html",
                urls.THANKS_PATH,
                Origin("thank-you page"),
                page_kind="thanks",
                page_title="Thank you",
            )

    def _add_document_files(self, doc: Document) -> None:
        for alias in doc.aliases:
            self._page(
                self.renderer,
                "alias.html",
                alias,
                Origin(doc.source),
                page_kind="alias",
                page_title=doc.title,
                target=doc.permalink,
                canonical=doc.permalink,
            )
        bundle = next(iter(doc.assets), None)
        if bundle is None:
            return
        bundle_dir = self.layout.root / Path(doc.source).parent
        for asset in doc.assets:
            self._add(
                doc.path + asset.relative_to(bundle_dir).as_posix(), asset, Origin(self._display(asset))
            )

    def _add_xml(self, posts: tuple[Post, ...], pages: list[Page]) -> None:
        config = self.config
        replies = {
            post.slug: feeds.reply_link_html(post, self.config.inbox.endpoint, self.config.author.email)
            for post in posts
        }
        info = feeds.FeedInfo(
            title=config.title,
            subtitle=config.description,
            feed_url=self.urls.absolute(urls.FEED_PATH),
            site_url=self.urls.absolute(""),
            author_name=config.author.name,
            author_email=config.author.email,
            language=config.language,
        )
        entries = posts[: config.feed_entries]
        self._add(urls.FEED_PATH, feeds.atom_feed(info, entries, replies), Origin("site feed"))
        for listing in library.tag_listings(posts):
            tag = listing.tag
            tag_info = dataclasses.replace(
                info,
                title=f"{config.title}: {tag.name}",
                feed_url=self.urls.absolute(urls.tag_feed_path(tag.slug)),
                site_url=tag.permalink,
            )
            feed = feeds.atom_feed(tag_info, listing.posts[: config.feed_entries], replies)
            self._add(urls.tag_feed_path(tag.slug), feed, Origin(f"tag {tag.name!r}"))
        sitemap_entries: list[tuple[str, datetime | None]] = [(self.urls.absolute(""), None)]
        sitemap_entries += [(p.permalink, p.updated or p.date) for p in posts]
        sitemap_entries += [(p.permalink, None) for p in pages]
        sitemap_entries += [(self.urls.absolute(path), None) for path in (urls.TAGS_PATH, urls.ARCHIVE_PATH)]
        sitemap_entries += [(listing.tag.permalink, None) for listing in library.tag_listings(posts)]
        self._add(urls.SITEMAP_PATH, feeds.sitemap(sitemap_entries), Origin("sitemap"))
        manifest = manifest_bytes([ManifestPost(p.slug, p.title, p.permalink) for p in posts])
        self._add(MANIFEST_PATH, manifest, Origin("posts manifest for the reader inbox"))
        self._add(
            "robots.txt",
            feeds.robots_txt(self.urls.absolute(urls.SITEMAP_PATH)),
            Origin("robots.txt"),
            replace=True,
        )
