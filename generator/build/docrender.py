"""Markdown bodies rendered once and remembered, safely.

Rendering Markdown (with Pygments) is most of a build's work, so each body's result is
kept with a record of every question it asked its surroundings: what each link resolved
to, which image file gave its size. A later build reuses the result only if the body is
byte-identical *and* every recorded question gets the same answer today; otherwise it
renders again. That makes the cache impossible to go stale through another post's
rename, a deleted static file or a new base URL, without tracking those by hand.

Cold builds render the bodies that missed on every core (see parallel.py).
"""

from __future__ import annotations

import dataclasses
import logging
import posixpath
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from markupsafe import Markup

from generator.build.documents import DocumentMeta, take_leading_heading
from generator.build.links import DocumentLinks, SiteFiles
from generator.build.parallel import in_chunks, settle_worker, workers_for
from generator.build.parked import BodyPark
from generator.build.sources import SourceChanged, SourceFile
from generator.markdown.markup import MarkdownRenderer, RenderedMarkdown
from generator.site.errors import ErrorCollector, SiteError
from generator.site.urls import UrlScheme

log = logging.getLogger(__name__)


class LinkAnswer(NamedTuple):
    """One question a body asked while rendering, and the answer it got (a named tuple: see TocEntry)."""

    kind: str  # "resolve" or "image"
    url: str
    line: int | None
    answer: str | None  # the resolved URL, or the image file's path
    file_state: tuple[int, int] | None = None  # (size, mtime_ns) of the image file


@dataclass(frozen=True)
class BodyRender:
    rendered: RenderedMarkdown
    summary_html: str | None  # front matter summary, rendered inline
    answers: tuple[LinkAnswer, ...]
    summary_text: str | None = None  # the same summary as plain text (meta description, feeds)


@dataclass(frozen=True)
class BodyJob:
    """What to render for one document: its body (minus a heading that became the title)."""

    source: SourceFile  # may come from the cache without its text (see SourceFile.without_body)
    summary: str | None
    strip_heading: bool
    key: str  # DocumentMeta.body_key: the cache key of the render
    # The highlighted code blocks of this document's last render, by what they were made
    # from (RenderedMarkdown.highlighted_blocks): an edit to the prose reuses them.
    earlier_blocks: Mapping[str, str] | None = None

    @property
    def body(self) -> str:
        """The Markdown to render, read again from disk when the cached source has no text."""
        text = self.source.body or self.source.read_body()
        return take_leading_heading(text)[1] if self.strip_heading else text


class RecordingLinks:
    """A LinkContext that remembers every answer it gives."""

    def __init__(self, links: DocumentLinks) -> None:
        self.links = links
        self.answers: list[LinkAnswer] = []

    def resolve(self, url: str, line: int | None) -> str:
        answer = self.links.resolve(url, line)
        self.answers.append(LinkAnswer("resolve", url, line, answer))
        return answer

    def image_file(self, url: str) -> Path | None:
        found = self.links.image_file(url)
        self.answers.append(LinkAnswer("image", url, None, str(found) if found else None, _file_state(found)))
        return found


def _file_state(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def render_body(markdown: MarkdownRenderer, job: BodyJob, links: DocumentLinks) -> BodyRender:
    recorder = RecordingLinks(links)
    try:
        text = job.body
    except SourceChanged as changed:
        links.errors.add(changed)  # an error: this render is not kept, the build fails
        text = ""
    rendered = markdown.render(text, recorder, job.earlier_blocks)
    # Marked safe once, here: the Document then shares this very string, and the cache
    # file stores it once instead of twice.
    rendered = dataclasses.replace(rendered, html=Markup(rendered.html))
    summary = markdown.render_inline(job.summary, recorder) if job.summary else None
    summary_text = markdown.inline_text(job.summary) if job.summary else None
    return BodyRender(rendered, summary, tuple(recorder.answers), summary_text)


def images_unchanged(cached: BodyRender) -> bool:
    """The cheap check when nothing a link could resolve to has changed: only image files."""
    return all(
        _file_state(Path(asked.answer) if asked.answer else None) == asked.file_state
        for asked in cached.answers
        if asked.kind == "image"
    )


def still_valid(cached: BodyRender, links: DocumentLinks) -> bool:
    """Ask every recorded question again; True if every answer is the same as before."""
    for asked in cached.answers:
        if asked.kind == "resolve":
            if links.resolve(asked.url, asked.line) != asked.answer:
                return False
        else:
            found = links.image_file(asked.url)
            if (str(found) if found else None) != asked.answer or _file_state(found) != asked.file_state:
                return False
    return True


def missing_linked_files(
    source: SourceFile, answers: Iterable[LinkAnswer], base_path: str, made: Container[str]
) -> list[SiteError]:
    """Images and files a body links to by a site path that the site does not make.

    Asked once the whole site is planned (`made` holds every output path): a picture or a
    file may come from content/static/, a theme, a post folder or the build itself (feeds,
    stylesheets), so only then is it known. Pages are left to `fireside check`: links to
    them are written as URLs, and their targets are the templates' to make.
    """
    images = {asked.url for asked in answers if asked.kind == "image"}
    found = []
    for asked in answers:
        target = asked.answer
        if asked.kind != "resolve" or not target or not target.startswith(base_path):
            continue  # relative (a post folder's own file, checked when resolved) or elsewhere
        path = target.split("#", 1)[0].split("?", 1)[0]
        is_image = asked.url in images
        if path.endswith("/") or not (is_image or _is_file_name(path)):
            continue
        rel = posixpath.normpath(unquote(path[len(base_path) :]))
        if rel in made:
            continue
        what = "missing image" if is_image else "missing file"
        line = source.body_line + (asked.line or 1) - 1
        message = f"{what} {asked.url!r}: the site has no file /{rel}"
        found.append(SiteError(source.rel, line, message))
    return found


def missing_files(
    metas: Iterable[DocumentMeta],
    bodies: Mapping[str, tuple[str, BodyRender]],
    urls: UrlScheme,
    made: Container[str],
) -> list[SiteError]:
    """`missing_linked_files` of every document rendered (`bodies`: the build's cache table)."""
    found = []
    for meta in metas:
        rendered = bodies.get(meta.body_key)
        if rendered is not None:
            found.extend(missing_linked_files(meta.source, rendered[1].answers, urls.base_path, made))
    return found


def _is_file_name(path: str) -> bool:
    """True for a path whose last part names a file other than a page ("x.pdf", not "x/" or "x.html")."""
    suffix = posixpath.splitext(path.rsplit("/", 1)[-1])[1].lower()
    return bool(suffix) and suffix not in (".html", ".htm")


def reuse_or_render(
    markdown: MarkdownRenderer,
    job: BodyJob,
    files: SiteFiles,
    errors: ErrorCollector,
    cached: BodyRender | None,
) -> BodyRender:
    """The body's render, from `cached` when still valid."""
    if cached is not None:
        # Replay against a scratch collector: a broken link must be reported exactly once,
        # whether the answer comes from the cache or from a fresh render.
        scratch = ErrorCollector()
        if still_valid(cached, DocumentLinks(files, job.source, scratch)):
            errors.extend(scratch.errors)
            errors.warnings.extend(scratch.warnings)
            return cached
    return render_body(markdown, job, DocumentLinks(files, job.source, errors))


# -- many bodies at once: see parallel.py ------------------------------------------------------

_worker_state: dict[str, object] = {}  # per worker process only, set by its initializer


def _init_worker(files: SiteFiles, heading_ids: str) -> None:
    settle_worker()
    _worker_state["files"] = files
    _worker_state["markdown"] = MarkdownRenderer(heading_ids=heading_ids)


# One body's render with the errors and warnings it found (parked.Rendered).
_Rendered = tuple[BodyRender, list[SiteError], list[SiteError]]


def _render_chunk(markdown: MarkdownRenderer, files: SiteFiles, jobs: Sequence[BodyJob]) -> list[_Rendered]:
    results = []
    for job in jobs:
        errors = ErrorCollector()
        result = render_body(markdown, job, DocumentLinks(files, job.source, errors))
        results.append((result, errors.errors, errors.warnings))
    return results


def _render_chunk_in_worker(jobs: Sequence[BodyJob]) -> list[_Rendered]:
    files = _worker_state["files"]
    markdown = _worker_state["markdown"]
    assert isinstance(files, SiteFiles) and isinstance(markdown, MarkdownRenderer)
    return _render_chunk(markdown, files, jobs)


def render_many(
    markdown: MarkdownRenderer,
    jobs: Sequence[BodyJob],
    files: SiteFiles,
    errors: ErrorCollector,
    *,
    parallel: bool = True,
    done: Callable[[int], None] | None = None,
    park_in: Path | None = None,
) -> list[tuple[BodyRender, bool]]:
    """Render `jobs` (none cached), in parallel when there are enough of them, in order.

    Each result comes with whether rendering it found an error (such renders are not kept).
    `park_in`: a folder where the bodies' HTML is kept rather than in memory (see parked.py).
    """
    workers = workers_for(len(jobs)) if parallel else 1
    found = None
    if workers > 1:
        park = BodyPark.open(park_in, len(jobs))
        handed_out = False
        try:
            found = in_chunks(
                jobs,
                workers,
                lambda chunk: _render_chunk(markdown, files, chunk),
                _render_chunk_in_worker,
                _init_worker,
                (files, markdown.heading_ids),
                done=done,
                keep=park.park if park is not None else None,
            )
            if park is not None and found is not None:
                found = park.restore(found)
                handed_out = found is not None
        finally:
            # Bodies handed out read from the file until the last is gone, which closes it.
            if park is not None and not handed_out:
                park.close()
    if found is None:  # one process: by choice, or because workers could not start
        found = _render_chunk(markdown, files, jobs)
    rendered = []
    for result, job_errors, job_warnings in found:  # in order: errors too
        errors.extend(job_errors)
        errors.warnings.extend(job_warnings)
        rendered.append((result, bool(job_errors)))
    return rendered
