"""Every output file of the site, from finished documents (called by pipeline.py only).

Each output is given to an OutputMaker (outputs.py) with its key: everything its bytes
depend on (the documents it shows, through their fingerprints). So an edit to one post
re-renders that post, its neighbours and the lists and feeds showing it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.build import library
from generator.build.assets import AssetLinks
from generator.build.compose import Fingerprints
from generator.build.machine_files import MachineFiles
from generator.build.output.cache import digest_text
from generator.build.output.outputs import OutputMaker
from generator.build.output.writer import Origin
from generator.build.templates import TemplateRenderer
from generator.site import permalinks, urls
from generator.site.config import SiteConfig
from generator.site.errors import SiteError
from generator.site.model import (
    Document,
    Letter,
    Neighbours,
    Page,
    Post,
    SectionListing,
    TagListing,
    YearListing,
)
from generator.site.progress import NO_PROGRESS, Progress
from generator.site.urls import UrlScheme

# What a post's card leaves out (see compose.Fingerprints): its body and what follows from it.
BODY_FIELDS = frozenset({"content", "toc", "word_count"})


class Listed:
    """A post as a list page or a neighbour link shows it, noticing any read of its body.

    Lists are keyed by their posts' cards, so an edit to one essay's text does not render
    the archive and every tag page again. A theme whose lists do show bodies is noticed the
    first time such a page renders; from the next build on, lists are keyed by the bodies too.
    """

    __slots__ = ("_document", "_reads")

    def __init__(self, document: Post, reads: set[str]) -> None:
        self._document = document
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        if name in BODY_FIELDS:
            self._reads.add(name)
        return getattr(self._document, name)


class Later:
    """A context value made only if the page is rendered (most pages of a rebuild are kept):
    `Later(function, *arguments)`."""

    __slots__ = ("arguments", "function")

    def __init__(self, function: Callable[..., Any], *arguments: Any) -> None:
        self.function = function
        self.arguments = arguments

    def make(self) -> Any:
        return self.function(*self.arguments)


class SitePages:
    """Produces every page, feed and file of one build through an OutputMaker."""

    def __init__(
        self,
        maker: OutputMaker,
        renderer: TemplateRenderer,
        config: SiteConfig,
        url_scheme: UrlScheme,
        site_root: Path,
        fingerprints: Mapping[str, Fingerprints],  # document path → its fingerprints
        assets: AssetLinks,
        *,
        list_reads: frozenset[str] = frozenset(),  # body fields lists read in an earlier build
        progress: Progress = NO_PROGRESS,
    ) -> None:
        self.progress = progress
        self.assets = assets
        self._reads: set[str] = set()  # body fields read by the lists rendered in this build
        self._earlier_reads = list_reads
        # Lists that show bodies are keyed by them; otherwise by their posts' cards.
        self._lists_show_bodies = bool(list_reads)
        self.maker = maker
        self.renderer = renderer
        self.config = config
        self.urls = url_scheme
        self.site_root = site_root
        self.fp = fingerprints
        self.machine_files = MachineFiles(maker, config, url_scheme, self._fps)

    def add_all(
        self,
        posts: Sequence[Post],
        pages: Sequence[Page],
        letters: Mapping[str, Sequence[Letter]],
        static: Mapping[str, Path],
        highlight_css: bytes | None,
        sections: Sequence[SectionListing] = (),
    ) -> None:
        listings = library.tag_listings(posts)
        self._static_files(static, highlight_css)
        self._documents(posts, pages, letters)
        self.progress.stage("lists and feeds")
        self._lists(posts, listings)
        self._sections(sections)
        self.machine_files.feeds(posts, listings)
        self.machine_files.sitemap_and_manifest(posts, pages, listings, sections)

    # -- files ----------------------------------------------------------------------------

    def _static_files(self, static: Mapping[str, Path], highlight_css: bytes | None) -> None:
        """Static files as they are, and each fingerprinted asset under its hashed name too."""
        for rel, path in static.items():
            self.maker.copied(rel, path, Origin(self._display(path)))
            if rel in self.assets.names:
                self.maker.copied(self.assets.names[rel], path, Origin(self._display(path)))
        if highlight_css is None:
            return  # the build recorded why
        origin = Origin("site.yaml highlight")
        for rel in {urls.HIGHLIGHT_CSS_PATH, self.assets.names.get(urls.HIGHLIGHT_CSS_PATH, "")} - {""}:
            self.maker.generated(rel, ("highlight", highlight_css), lambda: highlight_css, origin)

    def _display(self, path: Path) -> str:
        resolved, root = path.resolve(), self.site_root.resolve()
        return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(resolved)

    # -- pages ----------------------------------------------------------------------------

    def _page(self, template: str, path: str, origin: Origin, key: object, **context: Any) -> None:
        def produce() -> bytes | None:
            # Filled in only when rendering: most pages of a rebuild are kept as they are.
            values = {name: v.make() if isinstance(v, Later) else v for name, v in context.items()}
            values.setdefault("canonical", self.urls.absolute(path))
            values.setdefault("description", self.config.description)
            try:
                return self.renderer.render(template, values).encode("utf-8")
            except SiteError as exc:
                self.maker.errors.add(exc)
                return None

        self.maker.generated(urls.index_file(path), (template, key), produce, origin)

    @property
    def list_reads(self) -> frozenset[str]:
        """The body fields lists are known to read, for the next build's keys."""
        return self._earlier_reads | self._reads

    def _fps(self, documents: Sequence[Document]) -> tuple[str, ...]:
        """Full fingerprints: for pages that show these documents' bodies (their own, feeds)."""
        return tuple(self.fp[doc.path].full for doc in documents)

    def _shown_fps(self, documents: Sequence[Document]) -> tuple[str, ...]:
        """What lists and neighbour links show of these documents."""
        if self._lists_show_bodies:
            return self._fps(documents)
        return tuple(self.fp[doc.path].card for doc in documents)

    def _listed(self, posts: Sequence[Post]) -> tuple[Listed, ...]:
        return tuple(Listed(post, self._reads) for post in posts)

    def _listed_tags(self, listings: Sequence[TagListing]) -> tuple[TagListing, ...]:
        return tuple(
            TagListing(tag=listing.tag, posts=self._listed(listing.posts))  # type: ignore[arg-type]
            for listing in listings
        )

    def _listed_years(self, posts: Sequence[Post]) -> tuple[YearListing, ...]:
        return tuple(
            YearListing(year=year.year, posts=self._listed(year.posts))  # type: ignore[arg-type]
            for year in library.year_listings(posts)
        )

    def _listed_neighbours(self, near: Neighbours) -> Neighbours:
        return Neighbours(
            older=Listed(near.older, self._reads) if near.older else None,  # type: ignore[arg-type]
            newer=Listed(near.newer, self._reads) if near.newer else None,  # type: ignore[arg-type]
        )

    def _documents(
        self, posts: Sequence[Post], pages: Sequence[Page], letters: Mapping[str, Sequence[Letter]]
    ) -> None:
        around = library.neighbours(posts)
        self.progress.stage("pages", len(posts) + len(pages))
        for post in posts:
            self.post_page(post, around[post.path], letters.get(post.letter_id, ()))
            self._document_files(post)
            self.progress.advance()
        for page in pages:
            self.progress.advance()
            self._page(
                page.template,
                page.path,
                Origin(page.source),
                ("page", self.fp[page.path].full),
                page_kind="page",
                page_title=page.title,
                description=page.description,
                page=page,
            )
            self._document_files(page)

    def post_page(self, post: Post, near: Neighbours, letters: Sequence[Letter]) -> None:
        """One post's own page (its aliases and files are `_document_files`)."""
        shown = tuple(letters)
        near_fps = self._shown_fps([d for d in (near.older, near.newer) if d])
        self._page(
            post.template,
            post.path,
            Origin(post.source),
            ("post", self.fp[post.path].full, near_fps, shown),
            page_kind="post",
            page_title=post.title,
            description=post.description,
            post=post,
            neighbours=Later(self._listed_neighbours, near),
            letters=shown,
        )

    def _document_files(self, doc: Document) -> None:
        for alias in doc.aliases:
            self._page(
                "alias.html",
                alias,
                Origin(doc.source),
                ("alias", doc.permalink),
                page_kind="alias",
                page_title=doc.title,
                target=doc.permalink,
                canonical=doc.permalink,
            )
        if doc.assets:
            bundle_dir = self.site_root / Path(doc.source).parent
            # Beside the page: in its folder, or beside its file (a pattern ending in .html).
            folder = doc.path if doc.path.endswith("/") else doc.path.rpartition("/")[0] + "/"
            for asset in doc.assets:
                rel = folder.lstrip("/") + asset.relative_to(bundle_dir).as_posix()
                self.maker.copied(rel, asset, Origin(self._display(asset)))

    def _tag_aliases(self, listing: TagListing) -> None:
        """The tag's page at its old addresses (a blog brought from another generator): a
        static host cannot redirect, so each is a page that leads to the tag's own. Under
        the tag's slug, and under the slugs the old site gave it where they differ."""
        tag = listing.tag
        slugs = [tag.slug, *(old for old, new in self.config.tag_old_slugs.items() if new == tag.slug)]
        for pattern in self.config.tag_aliases:
            for slug in dict.fromkeys(slugs):
                old_slug = "" if slug == tag.slug else f", old slug {slug!r}"
                self._page(
                    "alias.html",
                    permalinks.tag_alias_path(pattern, slug),
                    # Named in the error if another page has that URL too.
                    Origin(f"site.yaml tag_aliases {pattern} (tag {tag.name!r}{old_slug})"),
                    ("alias", tag.permalink),
                    page_kind="alias",
                    page_title=f"Tagged “{tag.name}”",
                    target=tag.permalink,
                    canonical=tag.permalink,
                )

    def _sections(self, sections: Sequence[SectionListing]) -> None:
        for listing in sections:
            shown = self._shown_fps(listing.posts)
            self._page(
                "section.html",
                listing.path,
                Origin(f"section {listing.section!r}"),
                ("section", listing.title, listing.description, listing.intro, shown),
                page_kind="section",
                page_title=listing.title,
                description=listing.description or self.config.description,
                section=dataclasses.replace(listing, posts=()),
                posts=Later(self._listed, listing.posts),
            )

    def _lists(self, posts: Sequence[Post], listings: Sequence[TagListing]) -> None:
        per_page = self.config.per_page
        home_urls = [
            self.urls.link(urls.home_path(n)) for n in range(1, library.page_count(len(posts), per_page) + 1)
        ]
        for chunk, paginator in library.paginate(posts, per_page, home_urls):
            title = self.config.title if paginator.number == 1 else f"Page {paginator.number}"
            self._page(
                "home.html",
                urls.home_path(paginator.number),
                Origin("home page"),
                ("home", paginator, self._shown_fps(chunk)),
                page_kind="home",
                page_title=title,
                posts=Later(self._listed, chunk),
                paginator=paginator,
            )
        everything = digest_text(self._shown_fps(posts))
        self._page(
            "tags.html",
            urls.TAGS_PATH,
            Origin("tag index"),
            ("tags", everything),
            page_kind="tags",
            page_title="Tags",
            tags=Later(self._listed_tags, listings),
        )
        for listing in listings:
            tag = listing.tag
            self._page(
                "tag.html",
                urls.tag_path(tag.slug),
                Origin(f"tag {tag.name!r}"),
                ("tag", tag, self._shown_fps(listing.posts)),
                page_kind="tag",
                page_title=f"Tagged “{tag.name}”",
                tag=tag,
                posts=Later(self._listed, listing.posts),
            )
            self._tag_aliases(listing)
        self._page(
            "archive.html",
            urls.ARCHIVE_PATH,
            Origin("archive"),
            ("archive", everything),
            page_kind="archive",
            page_title="Archive",
            years=Later(self._listed_years, posts),
        )
        self._page(
            "404.html",
            urls.NOT_FOUND_PATH,
            Origin("404 page"),
            "404",
            page_kind="404",
            page_title="Page not found",
        )
        if self.renderer.exists("thanks.html"):  # where the letter form's no-JavaScript path lands
            self._page(
                "thanks.html",
                urls.THANKS_PATH,
                Origin("thank-you page"),
                "thanks",
                page_kind="thanks",
                page_title="Thank you",
            )
