"""Documents composed from front matter and rendered bodies, reused when unchanged.

A Document (a Post or Page) is its metadata plus its rendered body. Both are cached by
everything they are made of: the body through docrender's replayed link answers, the
Document through its source, the link environment, its tags and the settings it shows.
Each Document gets a fingerprint, so pages that show it know when to render again.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import Markup

from generator.build.docrender import BodyJob, BodyRender, images_unchanged, render_many, reuse_or_render
from generator.build.documents import DocumentMeta
from generator.build.links import SiteFiles
from generator.build.output.cache import BuildCache, digest_text
from generator.build.parked import ParkedHtml
from generator.markdown.markup import MarkdownRenderer
from generator.site.errors import ErrorCollector
from generator.site.model import Document, Page, Person, Post, Tag
from generator.site.progress import NO_PROGRESS, Progress
from generator.site.slugs import slugify
from generator.site.urls import UrlScheme, absolutize

WORDS_PER_MINUTE = 230
# The theme's templates for pages that are not documents: a document asking for one (Zola's
# and Hugo's sites name their own templates so) gets its kind's own template instead.
LIST_TEMPLATES = frozenset(
    {"base.html", "home.html", "archive.html", "tag.html", "tags.html", "404.html", "alias.html"}
    | {"thanks.html"}
)
# Above this many bodies to render, a build is not an edit: earlier renders are not sought.
EARLIER_LOOKUP_LIMIT = 64

log = logging.getLogger(__name__)


class Fingerprints(NamedTuple):
    """Digests of a finished document, so the pages showing it know when to render again."""

    full: str  # everything, its body included
    card: str  # everything but its body: what lists and neighbour links normally show


def card_of(doc: Document) -> Document:
    """The document without its body (content, table of contents, word count)."""
    if isinstance(doc, Post):
        return dataclasses.replace(doc, content=Markup(""), toc=(), word_count=0)
    return dataclasses.replace(doc, content=Markup(""), toc=())

# A document whose body is still to render: (its index, metadata, job, title, tags).
Waiting = tuple[int, DocumentMeta, BodyJob, str, tuple[Tag, ...]]


class DocumentComposer:
    """Turns published metadata into Documents for one build."""

    def __init__(
        self,
        *,
        markdown: MarkdownRenderer,
        urls: UrlScheme,
        language: str,
        template_exists: Callable[[str], bool],
        errors: ErrorCollector,
        cache: BuildCache,
        next_cache: BuildCache,
        site_author: Person | None = None,
        progress: Progress = NO_PROGRESS,
        park_in: Path | None = None,
    ) -> None:
        self.park_in = park_in  # where rendered bodies are kept rather than in memory (parked.py)
        self.site_author = site_author
        self.progress = progress
        self.markdown = markdown
        self.urls = urls
        self.language = language
        self.template_exists = template_exists
        self.errors = errors
        self.cache = cache
        self.next_cache = next_cache

    def compose(
        self, published: list[DocumentMeta], files: SiteFiles, tags: dict[str, Tag], environment: str
    ) -> tuple[list[Document], dict[str, Fingerprints]]:
        """Every published document, rendered or reused, with its fingerprints by path.

        `environment` digests everything a link could resolve against (see docrender.py).
        """
        ready: dict[int, tuple[Document, Fingerprints]] = {}
        waiting: list[Waiting] = []
        for index, meta in enumerate(published):
            prepared = self._prepare(meta)
            if prepared is None:
                continue
            job, title = prepared
            own_tags = tuple(dict.fromkeys(tags[slugify(n)] for n in meta.tag_names))
            doc_key = self._doc_key(job, environment, title, own_tags, meta)
            known = self.cache.documents.get(doc_key)
            if known is not None and images_unchanged(self.cache.bodies[job.key][1]):
                self._warn_leftovers(meta, self.cache.bodies[job.key][1])
                ready[index] = known
                self.next_cache.documents[doc_key] = known
                self.next_cache.bodies[job.key] = self.cache.bodies[job.key]
                continue
            waiting.append((index, meta, job, title, own_tags))
        fresh: list[Waiting] = []
        for item in waiting:
            cached = self.cache.bodies.get(item[2].key)
            if cached is None:
                fresh.append(item)
                continue
            before = len(self.errors.errors)
            body = reuse_or_render(self.markdown, item[2], files, self.errors, cached[1])
            self._finish(item, body, environment, ready, clean=len(self.errors.errors) == before)
        jobs = self._with_earlier_blocks([item[2] for item in fresh])
        log.info(
            "Markdown: %d documents to render, %d re-linked, %d unchanged",
            len(fresh),
            len(waiting) - len(fresh),
            len(published) - len(waiting),
        )
        if jobs:
            self.progress.stage("rendering", len(jobs))
        renders = render_many(
            self.markdown, jobs, files, self.errors, done=self.progress.advance, park_in=self.park_in
        )
        for item, (body, had_errors) in zip(fresh, renders, strict=True):
            self._finish(item, body, environment, ready, clean=not had_errors)
        ordered = [ready[i] for i in sorted(ready)]
        return [doc for doc, _ in ordered], {doc.path: fp for doc, fp in ordered}

    def compose_one(
        self,
        meta: DocumentMeta,
        files: SiteFiles,
        tags: dict[str, Tag],
        environment: str,
        last: DocumentMeta | None = None,
    ) -> tuple[Document, Fingerprints] | None:
        """One document rendered afresh in this process; None if that reported any error.

        `last`: the document's metadata as the last build read it (its code blocks are reused).
        """
        before = len(self.errors.errors)
        prepared = self._prepare(meta)
        if prepared is None:
            return None
        job, title = prepared
        own_tags = tuple(dict.fromkeys(tags[slugify(n)] for n in meta.tag_names))
        jobs = [self._with_blocks_of(job, last)]
        (body, had_errors), = render_many(self.markdown, jobs, files, self.errors, parallel=False)
        if had_errors or len(self.errors.errors) > before:
            return None
        ready: dict[int, tuple[Document, Fingerprints]] = {}
        self._finish((0, meta, job, title, own_tags), body, environment, ready, clean=True)
        return ready[0]

    def _with_earlier_blocks(self, jobs: list[BodyJob]) -> list[BodyJob]:
        """Each job with the code blocks its document's last render highlighted, if cached.

        Only for the few bodies of an edit: a cold build has no earlier renders to look at.
        """
        if not jobs or len(jobs) > EARLIER_LOOKUP_LIMIT or not self.cache.sources:
            return jobs
        last_meta = {key[0]: meta for key, (_, meta) in self.cache.sources.items()}
        return [self._with_blocks_of(job, last_meta.get(str(job.source.path))) for job in jobs]

    def _with_blocks_of(self, job: BodyJob, last: DocumentMeta | None) -> BodyJob:
        """The job with the code blocks of the render `last` had, if it is in the cache."""
        earlier = self.cache.bodies.get(last.body_key) if last is not None else None
        blocks = earlier[1].rendered.highlighted_blocks() if earlier is not None else None
        return dataclasses.replace(job, earlier_blocks=blocks) if blocks else job

    def _doc_key(
        self, job: BodyJob, environment: str, title: str, own_tags: tuple[Tag, ...], meta: DocumentMeta
    ) -> tuple[Any, ...]:
        """Everything a finished Document is made of, besides its body's render."""
        return (
            job.key,
            environment,
            self.language,
            self.urls.base_url,
            title,
            # Tags by their names: their URLs follow from the base URL, already in the key.
            tuple((tag.slug, tag.name) for tag in own_tags),
            meta.front_matter_key,
        )

    def _prepare(self, meta: DocumentMeta) -> tuple[BodyJob, str] | None:
        """The body to render and the title, or None (with an error) when there is no title."""
        source = meta.source
        default = "post.html" if source.kind == "post" else "page.html"
        if meta.template in LIST_TEMPLATES:
            message = f"{meta.template!r} is the theme's template for lists, not documents: {default} is used"
            self.errors.warn(source.rel, source.line_of("template"), message)
        elif meta.template is not None and not self.template_exists(meta.template):
            message = f"the theme has no template {meta.template!r}: {default} is used"
            self.errors.warn(source.rel, source.line_of("template"), message)
        elif not self.template_exists(default):
            self.errors.error(source.rel, 1, f"the theme has no template {default!r}")
            return None
        title = meta.title  # read_meta derived it when front matter has none
        if title is None:
            self.errors.error(source.rel, 1, "no title: add `title:` to the front matter or a `# Heading`")
            return None
        if meta.title_guessed:
            self.errors.warn(source.rel, 1, f"no title in front matter: using {title!r}")
        return BodyJob(source, meta.summary, meta.strip_heading, meta.body_key), title

    def _finish(
        self,
        item: Waiting,
        body: BodyRender,
        environment: str,
        ready: dict[int, tuple[Document, Fingerprints]],
        *,
        clean: bool,
    ) -> None:
        index, meta, job, title, own_tags = item
        self._warn_leftovers(meta, body)
        doc = self._document(meta, body, title, own_tags)
        card = digest_text(card_of(doc))
        # The body by what it became, not by what it was made from: a fresh clone gives a
        # linked image a new time, so its body renders again, but while its HTML is the
        # same, the pages showing it keep theirs (and the page store can give them).
        word_count = doc.word_count if isinstance(doc, Post) else 0
        fingerprint = Fingerprints(full=digest_text(card, doc.content, doc.toc, word_count), card=card)
        ready[index] = (doc, fingerprint)
        if clean:  # a render that reported errors is never kept: the next build reports them again
            doc_key = self._doc_key(job, environment, title, own_tags, meta)
            self.next_cache.documents[doc_key] = (doc, fingerprint)
            self.next_cache.bodies[job.key] = (environment, body)

    def _warn_leftovers(self, meta: DocumentMeta, body: BodyRender) -> None:
        """Other generators' template syntax in the text: named, never published silently."""
        found = body.rendered.leftovers
        if not found:
            return
        line, snippet, what = found[0]
        more = f" (and {len(found) - 1} more in this file)" if len(found) > 1 else ""
        message = (
            f"{what} is published as text: {snippet!r}{more}; Fireside runs no other generator's "
            "templates: write it as Markdown (`fireside import` converts the common ones)"
        )
        self.errors.warn(meta.source.rel, meta.source.body_line + line - 1, message)

    def _byline(self, authors: tuple[Person, ...]) -> tuple[Person, ...]:
        """A post's own authors; the site's author stands as the site gives them (empty: only them)."""
        own = self.site_author
        if own is None:
            return authors
        named = tuple(own if person.name.casefold() == own.name.casefold() else person for person in authors)
        return () if named == (own,) else named

    def _document(
        self, meta: DocumentMeta, body: BodyRender, title: str, own_tags: tuple[Tag, ...]
    ) -> Document:
        source, rendered = meta.source, body.rendered
        template = meta.template or ("post.html" if source.kind == "post" else "page.html")
        if template in LIST_TEMPLATES or not self.template_exists(template):
            template = "post.html" if source.kind == "post" else "page.html"
        summary_html = rendered.summary_html
        description = meta.description
        if body.summary_html is not None:
            summary_html = f"<p>{body.summary_html}</p>"
            description = description or body.summary_text
        common: dict[str, Any] = dict(
            source=source.rel,
            slug=meta.slug,
            title=title,
            path=meta.path,
            url=self.urls.link(meta.path),
            permalink=self.urls.absolute(meta.path),
            # Markup, or the ParkedHtml standing in for it (parked.py): left where it is.
            content=html if isinstance(html := rendered.html, (Markup, ParkedHtml)) else Markup(html),
            toc=rendered.toc,
            description=(description or rendered.description or title).strip(),
            lang=meta.lang or self.language,
            draft=meta.draft,
            aliases=meta.aliases,
            assets=source.assets,
            extra=meta.extra,
            template=template,
            authors=self._byline(meta.authors),
            section=meta.section,
        )
        if source.kind == "page":
            return Page(**common)
        return Post(
            **common,
            date=meta.date,
            updated=meta.updated,
            tags=own_tags,
            # Shown on other pages, so relative links must keep pointing at this post's files.
            summary=Markup(absolutize(summary_html, self.urls.link(meta.path))),
            word_count=rendered.word_count,
            reading_minutes=max(1, math.ceil(rendered.word_count / WORDS_PER_MINUTE)),
        )
