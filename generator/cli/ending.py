"""How a command that builds ends: `kill` stops it as Ctrl-C does, the cycle collector stays
off while it runs, and a process that ends with it ends without tearing itself down."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import Callable

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt."""


class TerminateAsInterrupt:
    """`kill` (SIGTERM) stops a command as Ctrl-C does: by an exception, so that a write
    in progress is undone (the output is left as it was) and worker processes are ended,
    instead of the process vanishing half-way. (A class, not @contextmanager: that one
    writes into the exceptions passing through it, and SiteError is frozen.)"""

    def __enter__(self) -> None:
        self.previous = None
        with contextlib.suppress(ValueError):  # not the main thread: left as it was
            self.previous = signal.signal(signal.SIGTERM, _stop)

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def _stop(signum: int, frame: object) -> None:
    raise Terminated


def exit_now(code: int) -> None:
    """End the process without tearing the interpreter down object by object.

    A build leaves the whole site in memory, and freeing it piece by piece only hands back
    memory the system takes back at once anyway (a few milliseconds of a rebuild that
    otherwise takes a quarter of a second). A build leaves no thread, process or temporary
    folder behind, so nothing else waits for the normal exit; output is flushed first.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def ending(command: Callable[[], int], exit_when_done: bool) -> int:
    """A command that builds (build, check, publish), run with the cycle collector off; with
    `exit_when_done`, the process ends as soon as it has reported (see `exit_now`)."""
    collecting = gc.isenabled()
    # A process that ends with this command keeps the cycle collector off for all of it:
    # switched back on after the build, its first collection would walk every object the
    # build allocated (30 ms of a 1,000-post rebuild), and a check's memory is as large.
    # A build leaves little cyclic garbage.
    gc.disable()
    try:
        code = command()
    finally:
        if collecting and not exit_when_done:
            gc.enable()  # called in-process: the caller's collector as it was
    if exit_when_done:
        exit_now(code)
    return code
