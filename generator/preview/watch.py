"""Noticing the author's edits for `fireside serve` (beside serve).

Watches `content/`, `themes/` and `site.yaml` with watchdog and hands out *batches* of
changed site-relative paths. A batch is closed only after a quiet period, so one editor save
(often three or four events: temp file, rename, chmod, close) or a git branch switch touching
hundreds of files becomes one rebuild; the total wait is capped so a file that is written
continuously still gets rebuilt. Editor swap, backup and hidden files never count.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from generator.build.sources import is_ignored
from generator.site.config import SiteLayout

log = logging.getLogger(__name__)

# The folders under the site root whose contents feed the build.
WATCHED_FOLDERS = ("content", "themes")
# Events that mean a file's bytes or existence changed. inotify also reports opens and
# closes without writing; the build itself reads every file, so counting those would
# make every build trigger the next one.
CHANGE_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})
POLL_INTERVAL = 0.5  # seconds between scans with --poll


def is_editor_noise(name: str) -> bool:
    """A file or folder name that no save of real content produces."""
    return is_ignored(name)


class ChangeWatcher:
    """Collects relevant changes under a site and releases them in debounced batches."""

    def __init__(
        self, layout: SiteLayout, *, poll: bool = False, quiet: float = 0.02, max_wait: float = 1.0
    ) -> None:
        self.root = layout.root
        self.config_name = layout.config_file.name
        self.quiet = quiet
        self.max_wait = max_wait
        self._poll = poll
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._first = 0.0  # monotonic time of the batch's first event
        self._last = 0.0  # ... and of its latest one
        self._stopped = False
        self._observer: BaseObserver | None = None
        self._handler = _Forwarder(self)
        self._watched: set[str] = set()

    # -- lifetime ----------------------------------------------------------------------

    def start(self) -> None:
        try:
            self._observer = self._start_observer(poll=self._poll)
        except OSError as exc:  # e.g. the inotify watch limit; polling always works
            log.warning("cannot watch with inotify (%s): polling instead", exc)
            self._observer = self._start_observer(poll=True)

    def _start_observer(self, *, poll: bool) -> BaseObserver:
        observer: BaseObserver = PollingObserver(timeout=POLL_INTERVAL) if poll else Observer()
        self._watched.clear()
        # The root non-recursively, for site.yaml and for content/ or themes/ appearing later.
        observer.schedule(self._handler, str(self.root), recursive=False)
        for name in WATCHED_FOLDERS:
            self._watch_folder(observer, self.root / name)
        observer.daemon = True
        observer.start()
        return observer

    def _watch_folder(self, observer: BaseObserver, folder: Path) -> None:
        if folder.is_dir() and str(folder) not in self._watched:
            observer.schedule(self._handler, str(folder), recursive=True)
            self._watched.add(str(folder))

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)

    # -- events ------------------------------------------------------------------------

    def relevant(self, path: str | bytes) -> str | None:
        """The site-relative path of a change the build cares about, else None."""
        text = path.decode() if isinstance(path, bytes) else path
        try:
            rel = Path(text).relative_to(self.root)
        except ValueError:
            return None
        parts = rel.parts
        if not parts or any(is_editor_noise(part) for part in parts):
            return None
        if parts[0] not in WATCHED_FOLDERS and rel.as_posix() != self.config_name:
            return None
        return rel.as_posix()

    def notice(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGE_EVENTS:
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder's mtime changes with every file in it: the file events suffice
        # A rename counts at both ends: an atomic save's temp file is noise, its target is not.
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        found = {rel for p in paths if p and (rel := self.relevant(p)) is not None}
        if not found:
            return
        if event.is_directory and event.event_type == "created" and self._observer is not None:
            for rel in found:
                if rel in WATCHED_FOLDERS:  # content/ or themes/ made after the server started
                    self._watch_folder(self._observer, self.root / rel)
        self.add(found)

    def add(self, rels: set[str]) -> None:
        now = time.monotonic()
        with self._cond:
            if not self._pending:
                self._first = now
            self._last = now
            self._pending |= rels
            self._cond.notify_all()

    def next_batch(self) -> tuple[str, ...] | None:
        """Block until a batch of changes has settled; None once the watcher is stopped."""
        with self._cond:
            self._cond.wait_for(lambda: self._pending or self._stopped)
            while not self._stopped:
                now = time.monotonic()
                left = min(self._last + self.quiet, self._first + self.max_wait) - now
                if left <= 0:
                    break
                self._cond.wait(left)
            if self._stopped:
                return None
            batch = tuple(sorted(self._pending))
            self._pending.clear()
            return batch


class _Forwarder(FileSystemEventHandler):
    def __init__(self, watcher: ChangeWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher.notice(event)
