"""Whether the last build is still true, told without reading a single source.

After a successful `fireside build`, a stamp records the state (size, modification time,
inode) of every file and folder the build could have read, what the build was asked, and
the state of every file it left in the output folder. When the next build finds all of
that exactly as recorded, the output already is what a build would make, and nothing is
built: the way make and ninja trust timestamps. Anything different, missing, damaged or
unreadable means "build".

Two limits, both written down in docs/performance.md: a file whose modification time is
too recent when the stamp is made is not trusted (its next change could keep the same
time stamp on a coarse clock, so no stamp is saved and the next build builds), and an
edit that keeps a file's size, time stamp and inode (`touch -d` back after a same-size
edit) is not seen, as it is not by make or by the build cache.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.build.output.cache import read_checked, write_checked

log = logging.getLogger(__name__)

STAMP_FILE = "last-build.stamp"
# A file changed this recently may change again within one tick of its file system's
# clock and keep its time stamp. Time stamps in whole seconds come from file systems that
# count in seconds (1 s on ext3 and HFS+, 2 s on FAT); finer ones from clocks that tick
# every few milliseconds (Linux updates them once per scheduler tick, 1-10 ms).
RACY_SECONDS_COARSE = 2.0
RACY_SECONDS_FINE = 0.1

# (path, file type and permission bits, size, modification time in ns, inode); a missing
# path is (path, 0, 0, 0, 0).
Entry = tuple[str, int, int, int, int]
# A folder's files by path relative to it: (size, modification time in ns, inode).
FolderStates = dict[str, tuple[int, int, int]]


def snapshot(files: Iterable[Path], folders: Iterable[Path]) -> tuple[Entry, ...]:
    """The state of `files` and of everything under `folders`, in a stable order.

    Folders are followed through symbolic links (the build follows them too), each real
    folder once, so a link loop ends.
    """
    entries: list[Entry] = [_entry(str(path)) for path in files]
    seen: set[tuple[int, int]] = set()
    for folder in folders:
        entries.append(_entry(str(folder)))
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
            try:
                here = os.stat(dirpath)
            except OSError:
                continue
            if (here.st_dev, here.st_ino) in seen:
                dirnames[:] = []
                continue
            seen.add((here.st_dev, here.st_ino))
            dirnames.sort()
            for name in dirnames:
                entries.append(_entry(os.path.join(dirpath, name)))
            for name in sorted(filenames):
                entries.append(_entry(os.path.join(dirpath, name)))
    return tuple(entries)


def _entry(path: str) -> Entry:
    try:
        found = os.stat(path)
    except OSError:
        return (path, 0, 0, 0, 0)
    return (path, found.st_mode, found.st_size, found.st_mtime_ns, found.st_ino)


@dataclass(frozen=True)
class Stamp:
    """What a successful build read and left behind, and what it reported."""

    request: str  # everything the build was asked (version, settings file, options)
    inputs: tuple[Entry, ...]  # taken before the build started reading
    output_dir: str
    outputs: tuple[tuple[str, int, int, int], ...]  # output-relative path, size, mtime in ns, inode
    pages: int
    warnings: tuple[tuple[str | None, int | None, str], ...]
    next_future: datetime | None  # the earliest date of a post not yet published
    left_out: tuple[int, int] = (0, 0)  # drafts and scheduled posts it did not publish

    def still_true(self, request: str, inputs: tuple[Entry, ...], now: datetime) -> bool:
        """True if a build asked `request` over `inputs` at `now` would change nothing."""
        if request != self.request or inputs != self.inputs:
            return False
        if self.next_future is not None and now >= self.next_future:
            return False  # a post's date has come: it appears on the site now
        root = self.output_dir
        for rel, size, mtime_ns, inode in self.outputs:
            try:
                found = os.lstat(os.path.join(root, rel))
            except OSError:
                return False
            if not stat.S_ISREG(found.st_mode) or (found.st_size, found.st_mtime_ns, found.st_ino) != (
                size,
                mtime_ns,
                inode,
            ):
                return False
        return True

    def output_states(self) -> FolderStates:
        """The files it made, as `still_true` has just found them."""
        return {rel: (size, mtime_ns, inode) for rel, size, mtime_ns, inode in self.outputs}


def is_racy(inputs: Iterable[Entry], taken: float) -> bool:
    """True if some input changed so close to `taken` that its next change may not show."""
    coarse = int((taken - RACY_SECONDS_COARSE) * 1_000_000_000)
    fine = int((taken - RACY_SECONDS_FINE) * 1_000_000_000)
    return any(
        mtime_ns > (coarse if mtime_ns % 1_000_000_000 == 0 else fine) for _, _, _, mtime_ns, _ in inputs
    )


def load(path: Path) -> Stamp | None:
    """The stamp saved at `path`, or None if there is none or it cannot be trusted."""
    stamp = read_checked(path)
    return stamp if isinstance(stamp, Stamp) else None


def save(path: Path, stamp: Stamp) -> None:
    """Write atomically; a stamp that cannot be written only makes the next build slower."""
    try:
        write_checked(path, stamp)
    except OSError as exc:
        log.warning("could not save the build stamp: %s", exc)


def forget(path: Path) -> None:
    """Remove a stamp before a build changes what it describes."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not remove the build stamp: %s", exc)


def folder_states(folder: Path) -> tuple[FolderStates, bool]:
    """Every file and link under `folder` with its state (links are not followed), and
    whether any link is among them: what a check's memory and a publish's record compare.
    Nothing else is (a pipe or a socket is not a file to read or to copy)."""
    states: FolderStates = {}
    has_links = False
    pending = [(str(folder), "")]
    while pending:
        path, prefix = pending.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, prefix + entry.name + "/"))
                    continue
                link = entry.is_symlink()
                if not link and not entry.is_file(follow_symlinks=False):
                    continue
                found = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if link:
                has_links = True
            states[prefix + entry.name] = (found.st_size, found.st_mtime_ns, found.st_ino)
    return states, has_links
