"""The progress line: on a terminal, long work shows where it is, on one line redrawn in place.

    rendering 412/1,000 · 3.1 s

It appears once a command has run for a second (a quick build shows nothing), is drawn
at most ten times a second, and is wiped before anything else is printed, so the
summary lines read as they always do. Nothing of it is shown when standard error is not
a terminal, with `--quiet`, in CI (`CI` set) or on a terminal that cannot redraw a line.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Iterator
from typing import TextIO

from generator.site.progress import NO_PROGRESS, Progress

SHOW_AFTER = 1.0  # seconds of work before the line appears
_REDRAW_EVERY = 0.1  # seconds between two drawings within one stage


@contextlib.contextmanager
def progress_line(stream: TextIO, *, quiet: bool = False) -> Iterator[Progress]:
    """The progress to hand a command's work, wiped from the terminal when the work ends."""
    progress = progress_for(stream, quiet=quiet)
    try:
        yield progress
    finally:
        wipe(progress)


def wipe(progress: Progress) -> None:
    """Wipe the progress line, if one is shown, before printing something else."""
    if isinstance(progress, TerminalProgress):
        progress.clear()


def progress_for(stream: TextIO, *, quiet: bool = False) -> Progress:
    """A progress line on `stream` when it is a terminal a person watches, else nothing."""
    if quiet or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return NO_PROGRESS
    try:
        if not stream.isatty():
            return NO_PROGRESS
    except (AttributeError, ValueError):  # closed, or not a real stream
        return NO_PROGRESS
    try:
        after = float(os.environ.get("FIRESIDE_PROGRESS_AFTER", SHOW_AFTER))
    except ValueError:
        after = SHOW_AFTER
    return TerminalProgress(stream, after=after)


class TerminalProgress:
    """Draws the stage, its count of total and the time since the command started."""

    def __init__(self, stream: TextIO, *, after: float = SHOW_AFTER) -> None:
        self.stream = stream
        self.after = after
        self.started = time.monotonic()
        self.name = ""
        self.total: int | None = None
        self.count = 0
        self.drawn_at = 0.0
        self.shown = False  # something is on the line, to be wiped
        self.lock = threading.Lock()  # external links are asked from several threads

    def stage(self, name: str, total: int | None = None) -> None:
        with self.lock:
            self.name, self.total, self.count = name, total, 0
            self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        with self.lock:
            self.count += count
            self._draw(force=False)

    def clear(self) -> None:
        """Wipe the line (before the command prints anything else)."""
        with self.lock:
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.shown = False

    def _draw(self, *, force: bool) -> None:
        now = time.monotonic()
        elapsed = now - self.started
        if elapsed < self.after or (not force and now - self.drawn_at < _REDRAW_EVERY):
            return
        self.drawn_at = now
        if self.total is not None:
            done = f" {min(self.count, self.total):,}/{self.total:,}"
        else:
            done = f" {self.count:,}" if self.count else ""
        line = f"{self.name}{done} · {elapsed:.1f} s"
        width = shutil.get_terminal_size((80, 24)).columns - 1
        self.stream.write("\r\x1b[K" + line[: max(10, width)])
        self.stream.flush()
        self.shown = True
