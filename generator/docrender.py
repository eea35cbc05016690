"""Markdown bodies rendered once and remembered, safely (layer 3).

Rendering Markdown (with Pygments) is most of a build's work, so each body's result is
kept with a record of every question it asked its surroundings: what each link resolved
to, which image file gave its size. A later build reuses the result only if the body is
byte-identical *and* every recorded question gets the same answer today; otherwise it
renders again. That makes the cache impossible to go stale through another post's
rename, a deleted static file or a new base URL, without tracking those by hand.

Cold builds render the bodies that missed in a process pool, one worker per core.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from markupsafe import Markup

from generator.documents import take_leading_heading
from generator.errors import ErrorCollector, SiteError
from generator.links import DocumentLinks, SiteFiles
from generator.markup import MarkdownRenderer, RenderedMarkdown
from generator.sources import SourceChanged, SourceFile

log = logging.getLogger(__name__)

# Below this many bodies to render, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 64


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


@dataclass(frozen=True)
class BodyJob:
    """What to render for one document: its body (minus a heading that became the title)."""

    source: SourceFile  # may come from the cache without its text (see SourceFile.without_body)
    summary: str | None
    strip_heading: bool
    key: str  # DocumentMeta.body_key: the cache key of the render

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
    rendered = markdown.render(text, recorder)
    # Marked safe once, here: the Document then shares this very string, and the cache
    # file stores it once instead of twice.
    rendered = dataclasses.replace(rendered, html=Markup(rendered.html))
    summary = markdown.render_inline(job.summary, recorder) if job.summary else None
    return BodyRender(rendered, summary, tuple(recorder.answers))


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


# -- the process pool ---------------------------------------------------------------------

_worker_state: dict[str, object] = {}  # per worker process only, set by its initializer


def _start_method() -> str:
    """How worker processes start: a fork where that is safe, else a fresh interpreter.

    A fork starts at once, with every module loaded, and shares this process's memory
    until either side writes to it. It is safe only while this process runs one thread:
    `fireside serve` builds from a thread, and forking then can copy a lock another
    thread holds, so it gets a forkserver. macOS's system libraries do not survive forks.
    """
    if os.name != "posix" or sys.platform == "darwin":
        return "spawn"
    return "fork" if threading.active_count() == 1 else "forkserver"


def _init_worker(files: SiteFiles) -> None:
    # A forked worker inherits a paused collector and the parent's objects: those are
    # frozen (never walked, so their shared pages are never written), new ones collected.
    gc.freeze()
    gc.enable()
    _worker_state["files"] = files
    _worker_state["markdown"] = MarkdownRenderer()


# One body's render with the errors and warnings it found.
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


def worker_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def render_many(
    markdown: MarkdownRenderer,
    jobs: Sequence[BodyJob],
    files: SiteFiles,
    errors: ErrorCollector,
    *,
    parallel: bool = True,
) -> list[tuple[BodyRender, bool]]:
    """Render `jobs` (none cached), in parallel when there are enough of them, in order.

    Each result comes with whether rendering it found an error (such renders are not kept).
    """
    workers = min(worker_count(), max(1, len(jobs) // (PARALLEL_THRESHOLD // 2)))
    if not parallel or workers < 2 or len(jobs) < PARALLEL_THRESHOLD:
        results = []
        for job in jobs:
            before = len(errors.errors)
            results.append((render_body(markdown, job, DocumentLinks(files, job.source, errors)), False))
            if len(errors.errors) > before:
                results[-1] = (results[-1][0], True)
        return results
    # Imported here: a build that renders a few bodies (most rebuilds) never needs them.
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    size = max(1, len(jobs) // (workers * 8))
    chunks = [jobs[start : start + size] for start in range(0, len(jobs), size)]
    done: list[list[_Rendered] | None] = [None] * len(chunks)
    context = multiprocessing.get_context(_start_method())
    try:
        # This process renders too, rather than wait: one worker fewer to start and keep
        # in memory, and its share of the results is never pickled back.
        with ProcessPoolExecutor(
            max_workers=workers - 1, mp_context=context, initializer=_init_worker, initargs=(files,)
        ) as pool:
            pending: dict[Future[list[_Rendered]], int] = {}
            taken = 0
            while taken < len(chunks) or pending:
                while taken < len(chunks) and len(pending) < (workers - 1) * 3:
                    pending[pool.submit(_render_chunk_in_worker, chunks[taken])] = taken
                    taken += 1
                if taken < len(chunks):
                    done[taken] = _render_chunk(markdown, files, chunks[taken])
                    taken += 1
                else:
                    wait(pending, return_when=FIRST_COMPLETED)
                for future in [future for future in pending if future.done()]:
                    done[pending.pop(future)] = future.result()
    except (OSError, RuntimeError, BrokenProcessPool) as exc:
        # Workers cannot start everywhere (a main module read from stdin, a locked-down
        # sandbox); the same work in this process gives the same result, only slower.
        log.warning("rendering in one process: worker processes failed (%s)", exc)
        return render_many(markdown, jobs, files, errors, parallel=False)
    rendered = []
    for chunk_results in done:
        assert chunk_results is not None
        for result, job_errors, job_warnings in chunk_results:  # in order: errors too
            errors.extend(job_errors)
            errors.warnings.extend(job_warnings)
            rendered.append((result, bool(job_errors)))
    return rendered
