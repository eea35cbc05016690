"""Rebuild, then reload (under serve): what happens between a save and the tabs.

`Rebuilder.build` plans the site with no lock held, writes it under the write side of a
read-write lock whose read side every request takes while it reads a file, and only then
publishes a build event. We chose that over building each epoch into a fresh folder and
swapping a pointer because `write_site` rewrites only changed files: a fresh folder per
build would copy the whole site every time, and `changed_paths` (which decides what each
tab does) would list every file.

Served HTML gets a small script injected at serve time only (never in `fireside build`
output). It listens to a Server-Sent Events stream and, after each finished build, fetches
its own page again when that changed and swaps the new body in (keeping the scroll
position; a 404 or a different head reloads instead), reloads when an image, script or
other asset changed, swaps the stylesheets in place when only CSS changed, shows an
overlay listing the errors when the build failed and removes it when the next build
succeeds. A save that changes only posts' text is rebuilt by `body_edits.replan`.

Every build bumps an *epoch*. A page carries the epoch it was served at, so a build that
finished between serving the page and the script connecting is still delivered; and it
carries a token of the server that served it, so restarting `fireside serve` reloads it.
"""

from __future__ import annotations

import html
import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from generator.build.pipeline import BuildCache, BuildOptions, BuildResult, PlannedSite, plan_site, write_site
from generator.preview.body_edits import replan
from generator.site.errors import BuildFailed, SiteError

log = logging.getLogger(__name__)

EVENTS_PATH = "/__fireside/events"
SCRIPT_PATH = "/__fireside/livereload.js"
OVERLAY_ID = "fireside-overlay"
HISTORY = 64  # events kept for pages that connect late; older pages just reload

Kind = Literal["reload", "css", "error", "full"]


@dataclass(frozen=True)
class BuildEvent:
    """What one finished build means for open tabs."""

    epoch: int
    kind: Kind  # css: only stylesheets changed; full: reload whatever the page is
    changed: tuple[str, ...] = ()  # output-relative paths written or removed
    errors: tuple[str, ...] = ()  # "path:line: message", for kind == "error"
    navigate: str | None = None  # the URL path of the one page whose source was edited

    def to_json(self) -> str:
        return json.dumps(
            {
                "epoch": self.epoch,
                "kind": self.kind,
                "changed": list(self.changed),
                "errors": list(self.errors),
                "navigate": self.navigate,
            }
        )


class EventHub:
    """Build events fanned out to every open event stream (one thread per tab)."""

    def __init__(self, token: str) -> None:
        self.token = token  # tells this server's pages from an earlier run's
        self.epoch = 0
        self._history: deque[BuildEvent] = deque(maxlen=HISTORY)
        self._cond = threading.Condition()
        self._closed = False

    def publish(self, event: BuildEvent) -> None:
        with self._cond:
            self.epoch = event.epoch
            self._history.append(event)
            self._cond.notify_all()

    def close(self) -> None:
        """Wake every stream so it ends: the server is stopping."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def events_after(self, epoch: int, token: str, timeout: float) -> list[BuildEvent] | None:
        """Events newer than `epoch`, waiting up to `timeout` for one; None once closed."""
        with self._cond:
            if token != self.token or epoch > self.epoch:
                return [BuildEvent(self.epoch, "full")]  # a page from another server run
            self._cond.wait_for(lambda: self._closed or self.epoch > epoch, timeout=timeout)
            if self._closed:
                return None
            newer = [event for event in self._history if event.epoch > epoch]
            if newer and newer[0].epoch != epoch + 1:
                return [BuildEvent(self.epoch, "full")]  # missed some: the history moved on
            return newer


def sse_message(event: BuildEvent) -> bytes:
    # The id comes back as Last-Event-ID when EventSource reconnects: no event is replayed.
    return f"id: {event.epoch}\nevent: build\ndata: {event.to_json()}\n\n".encode()


def event_for_build(epoch: int, changed: Sequence[str], navigate: str | None = None) -> BuildEvent:
    """A successful build's event: CSS-only changes swap stylesheets instead of reloading."""
    kind: Kind = "css" if changed and all(p.endswith(".css") for p in changed) else "reload"
    return BuildEvent(epoch, kind, tuple(changed), navigate=navigate)


@dataclass(frozen=True)
class Rebuilt:
    """A build that succeeded; `changed` is empty for the first build."""

    changed: tuple[str, ...]  # site-relative source paths that caused it
    result: BuildResult
    new_warnings: tuple[SiteError, ...]  # warnings the previous build did not have


@dataclass(frozen=True)
class RebuildFailed:
    changed: tuple[str, ...]
    errors: tuple[SiteError, ...]
    seconds: float


ServeEvent = Rebuilt | RebuildFailed
Report = Callable[[ServeEvent], None]


class ReadWriteLock:
    """Many readers or one writer; a waiting writer goes before new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing and not self._writers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            self._cond.wait_for(lambda: not self._writing and not self._readers)
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class ServedSite:
    """The folder being served and how the last build went. Read under `lock.read()`."""

    def __init__(self, root: Path) -> None:
        self.root = root  # resolved, so requests can be checked with is_relative_to
        self.lock = ReadWriteLock()
        self.epoch = 0
        self.errors: tuple[str, ...] = ()  # non-empty while the last build failed
        self.closed = False  # the server stopped and removed the folder


class Rebuilder:
    """Builds the site into `site.root` and tells the tabs and the reporter how it went."""

    def __init__(
        self,
        config_file: Path,
        options: BuildOptions,
        site: ServedSite,
        hub: EventHub,
        report: Report,
        *,
        navigate: bool = False,
    ) -> None:
        self.config_file = config_file
        self.options = options
        self.site = site
        self.hub = hub
        self.report = report
        self.navigate = navigate
        self.cache = BuildCache()  # one for the server's lifetime: rebuilds redo only what changed
        self._last: PlannedSite | None = None  # the build now being served
        self._warnings: frozenset[str] = frozenset()

    def build(self, changed: tuple[str, ...]) -> None:
        """Build once; a broken site (or a bug in the build) is reported, never raised."""
        started = time.perf_counter()
        try:
            # The commonest save changes one essay's text only: that has its own short way.
            planned = self._replan(changed)
            if planned is None:
                planned = plan_site(self.config_file, self.options, self.cache)
        except BuildFailed as failed:
            self._fail(changed, tuple(failed.errors), started)
            return
        except SiteError as error:
            self._fail(changed, (error,), started)
            return
        except Exception as exc:  # a bug in the build must not take the preview down with it
            log.exception("the build crashed")
            self._fail(changed, (SiteError(None, None, f"internal error: {exc!r}"),), started)
            return
        failure: SiteError | None = None
        with self.site.lock.write():
            if self.site.closed:
                return
            try:
                result = write_site(planned)
            except (OSError, BuildFailed) as exc:  # a full disk, say: the server stays up and says so
                self._last = None  # what is on disk is no longer that build's: start afresh
                reason = "; ".join(str(e) for e in exc.errors) if isinstance(exc, BuildFailed) else exc
                failure = SiteError(None, None, f"cannot write the preview: {reason}")
                self._publish_failure((failure,))
            else:
                self._last = planned
                self.site.errors = ()
                self.site.epoch += 1
                target = _edited_page(changed, planned, result) if self.navigate else None
                # Published under the lock, so a page served at the new epoch always finds
                # that epoch already known to the event streams.
                self.hub.publish(event_for_build(self.site.epoch, result.stats.changed_paths, target))
        if failure is not None:
            self._tell(RebuildFailed(changed, (failure,), time.perf_counter() - started))
            return
        new = tuple(w for w in result.warnings if str(w) not in self._warnings)
        self._warnings = frozenset(str(w) for w in result.warnings)
        self._tell(Rebuilt(changed, result, new))

    def _replan(self, changed: tuple[str, ...]) -> PlannedSite | None:
        if self._last is None:
            return None
        try:
            return replan(self._last, changed)
        except Exception:  # a bug on the short way must not cost the preview: the whole build decides
            log.exception("the body-only rebuild crashed; building everything")
            return None

    def _fail(self, changed: tuple[str, ...], errors: tuple[SiteError, ...], started: float) -> None:
        # The previous good output stays as it is: plan_site has written nothing.
        with self.site.lock.write():
            if self.site.closed:
                return
            self._publish_failure(errors)
        self._tell(RebuildFailed(changed, errors, time.perf_counter() - started))

    def _publish_failure(self, errors: tuple[SiteError, ...]) -> None:
        self.site.errors = tuple(str(e) for e in errors)
        self.site.epoch += 1
        self.hub.publish(BuildEvent(self.site.epoch, "error", errors=self.site.errors))

    def _tell(self, event: ServeEvent) -> None:
        try:
            self.report(event)
        except Exception:  # a broken terminal must not stop the rebuilds
            log.exception("reporting a build failed")


def _edited_page(changed: tuple[str, ...], planned: PlannedSite, result: BuildResult) -> str | None:
    """The URL path of the page made from the one Markdown file just edited, if that is clear."""
    sources = [c for c in changed if c.startswith("content/") and c.endswith((".md", ".markdown"))]
    if len(sources) != 1:
        return None
    source = Path(sources[0])
    pages = [
        rel
        for rel, origin in planned.plan.origins.items()
        if rel.endswith("index.html") and Path(origin.path) == source
    ]
    if len(pages) > 1:  # the page and its aliases: the one whose bytes changed is the page
        written = set(result.stats.changed_paths)
        pages = [rel for rel in pages if rel in written]
    if len(pages) != 1:
        return None
    return "/" + quote(pages[0].removesuffix("index.html"))


_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_OVERLAY_STYLE = (
    "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2rem;"
    "background:rgba(24,12,6,.94);color:#fff;font:15px/1.5 ui-monospace,monospace;"
)


def overlay_html(errors: Sequence[str]) -> str:
    """The error overlay for a page served while the last build failed (escaped: errors quote authors)."""
    noun = "error" if len(errors) == 1 else "errors"
    items = "\n".join(html.escape(error) for error in errors)
    return (
        f'<div id="{OVERLAY_ID}" role="alert" style="{_OVERLAY_STYLE}">'
        f'<strong style="font-size:1.2em">Build failed: {len(errors)} {noun}</strong>'
        f'<pre style="white-space:pre-wrap">{items}</pre>'
        "<p>Fix it and save: this page updates by itself.</p></div>"
    )


def inject(page: bytes, *, epoch: int, token: str, navigate: bool, errors: Sequence[str] = ()) -> bytes:
    """`page` with the reload script (and the overlay, if failing) before its last </body>."""
    tag = (
        f'<script src="{SCRIPT_PATH}" data-epoch="{epoch}" data-server="{html.escape(token)}"'
        f' data-navigate="{int(navigate)}"></script>'
    )
    snippet = ((overlay_html(errors) if errors else "") + tag).encode()
    ends = list(_BODY_END.finditer(page))
    at = ends[-1].start() if ends else len(page)
    return page[:at] + snippet + page[at:]


def not_found_page() -> bytes:
    """What a missing URL shows when the site has no 404.html (say the first build failed)."""
    return b"<!doctype html>\n<title>Not found</title>\n<body><h1>Not found</h1></body>\n"


# The tab's side, in its own file (shipped inside the package) so it reads as JavaScript.
_SCRIPT_SOURCE = Path(__file__).with_name("livereload.js").read_text(encoding="utf-8")
SCRIPT = (
    _SCRIPT_SOURCE.replace("@OVERLAY@", OVERLAY_ID)
    .replace("@STYLE@", _OVERLAY_STYLE)
    .replace("@EVENTS@", EVENTS_PATH)
    .encode()
)
