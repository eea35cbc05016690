"""The inbox folder: Maildir discipline for thought files (under inbox).

    inbox/tmp/      files being written (never read as thoughts)
    inbox/new/      letters not yet answered
    inbox/cur/      answered letters
    inbox/archive/  letters put away
    inbox/spam/     honeypot and too-quick submissions, for review
    inbox/drafts/   .eml drafts of answers, when there is no SMTP server

A file is written whole into tmp/, fsynced, then moved into its folder under its final
name (which fails, rather than overwrites, if the name is taken; see
`_move_without_replacing`) and the folder is fsynced: a crash leaves either the whole
thought or none of it in new/, never a part. What a crash leaves in tmp/ is removed when
a receiver starts and when `forget` runs (`is_leftover`).
Changes to an existing thought are written the same way and renamed over it. Folders
and files are private to their owner (0700/0600). File names only ever come from a
generated id, never from anything a reader sent.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import logging
import os
import re
import secrets
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.inbox.thought import Status, Thought, ThoughtFormatError, is_id, parse, serialize

log = logging.getLogger(__name__)

FOLDERS: dict[Status, str] = {"new": "new", "answered": "cur", "archived": "archive", "spam": "spam"}
ALL_FOLDERS = ("tmp", "new", "cur", "archive", "spam", "drafts")
STALE_TMP_SECONDS = 36 * 3600  # Maildir's rule: older temp files are leftovers of a crash
WRITER_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:64] or "host"  # names temp files' writers
_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_ID_ATTEMPTS = 5


class StoreUnavailable(OSError):
    """The inbox cannot be written: disk full, read-only, missing permissions."""


class ThoughtNotFound(LookupError):
    pass


class AmbiguousId(LookupError):
    """A part of an id that more than one letter has: `candidates` are their full ids."""

    def __init__(self, given: str, candidates: list[str]) -> None:
        super().__init__(given)
        self.given = given
        self.candidates = candidates


@dataclass(frozen=True)
class Stored:
    """A thought on disk, as found by a listing."""

    thought: Thought
    path: Path

    @property
    def folder(self) -> str:
        return self.path.parent.name


class InboxStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, name: str) -> Path:
        if name not in ALL_FOLDERS:
            raise ValueError(f"no inbox folder {name!r}")
        return self.root / name

    def ensure(self) -> None:
        """Create the folders (private to their owner); StoreUnavailable if that fails."""
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            for name in ALL_FOLDERS:
                (self.root / name).mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(exc.errno, f"cannot create the inbox folders: {exc.strerror}") from exc

    # -- writing --------------------------------------------------------------------------

    def add(self, make: Callable[[], Thought]) -> Thought:
        """Store a new thought made by `make()`; a taken id (two workers, one second) is redrawn."""
        for _ in range(_ID_ATTEMPTS):
            thought = make()
            try:
                self.write_new(serialize(thought), FOLDERS[thought.status], thought.file_name)
            except FileExistsError:
                continue
            return thought
        raise StoreUnavailable(errno.EEXIST, "could not find a free id")

    def write_new(self, data: bytes, folder: str, name: str) -> Path:
        """Write `data` whole as folder/name; FileExistsError if that name is taken."""
        target = self.folder(folder) / _checked_name(name)
        temp = self._write_temp(data)
        try:
            _move_without_replacing(temp, target)
            _fsync_dir(target.parent)
        except FileExistsError:
            _unlink_quietly(temp)
            raise
        except OSError as exc:
            _unlink_quietly(temp)
            raise StoreUnavailable(exc.errno, f"cannot store a thought: {exc.strerror}") from exc
        return target

    def replace(self, thought: Thought) -> Path:
        """Write a changed thought into the folder of its status, removing it from any other."""
        old = self.locate(thought.id)
        target = self.put(serialize(thought), FOLDERS[thought.status], thought.file_name)
        # Only now is the old copy removed: a crash in between leaves two copies, never none.
        if old is not None and old != target:
            old.unlink(missing_ok=True)
            _fsync_dir(old.parent)
        return target

    def put(self, data: bytes, folder: str, name: str) -> Path:
        """Write `data` whole as folder/name, atomically replacing what was there."""
        target = self.folder(folder) / _checked_name(name)
        temp = self._write_temp(data)
        try:
            os.replace(temp, target)
            _fsync_dir(target.parent)
        except OSError as exc:
            _unlink_quietly(temp)
            raise StoreUnavailable(exc.errno, f"cannot write {name}: {exc.strerror}") from exc
        return target

    def delete(self, thought_id: str) -> list[Path]:
        removed = []
        for folder in ("new", "cur", "archive", "spam"):
            path = self.folder(folder) / f"{thought_id}.md"
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
        draft = self.folder("drafts") / f"{thought_id}.eml"
        with contextlib.suppress(FileNotFoundError):
            draft.unlink()
            removed.append(draft)
        return removed

    def _write_temp(self, data: bytes) -> Path:
        # Unique per process, thread and call (two gunicorn workers never share a temp file),
        # and naming its writer, so that what a crashed one left is known for a leftover.
        writer = f"{os.getpid()}.{threading.get_ident()}"
        name = f"{time.time_ns()}.{writer}.{secrets.token_hex(4)}.{WRITER_HOST}.tmp"
        temp = self.folder("tmp") / name
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as exc:
            raise StoreUnavailable(exc.errno, f"cannot write in the inbox: {exc.strerror}") from exc
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError as exc:
            os.close(fd)
            _unlink_quietly(temp)
            raise StoreUnavailable(exc.errno, f"cannot write in the inbox: {exc.strerror}") from exc
        os.close(fd)
        return temp

    def clean_tmp(self, now: float | None = None) -> int:
        """Remove what a crash left in tmp/ (see `is_leftover`); files still being written stay."""
        now = now if now is not None else time.time()
        removed = 0
        with contextlib.suppress(OSError):
            for path in self.folder("tmp").iterdir():
                with contextlib.suppress(OSError):
                    if is_leftover(path, path.lstat(), now):
                        path.unlink()
                        removed += 1
        if removed:
            log.info("removed %d leftover(s) of an earlier crash from tmp/", removed)
        return removed

    # -- reading --------------------------------------------------------------------------

    def locate(self, thought_id: str) -> Path | None:
        if not is_id(thought_id):
            return None
        # Later folders first: after a crash mid-move the newer copy is the one to keep.
        for folder in ("archive", "cur", "new", "spam"):
            path = self.folder(folder) / f"{thought_id}.md"
            if path.is_file():
                return path
        return None

    def get(self, thought_id: str) -> Stored:
        path = self.locate(thought_id)
        if path is None:
            raise ThoughtNotFound(thought_id)
        return Stored(read_thought(path), path)

    def paths(self, folders: tuple[str, ...] = ("new", "cur", "archive", "spam")) -> Iterator[Path]:
        for folder in folders:
            place = self.folder(folder)
            if not place.is_dir():
                continue
            for path in sorted(place.iterdir()):
                if path.suffix == ".md" and is_id(path.stem) and path.is_file():
                    yield path

    def thoughts(self, folders: tuple[str, ...] = ("new", "cur", "archive", "spam")) -> list[Stored]:
        found: dict[str, Stored] = {}
        for path in self.paths(folders):
            try:
                stored = Stored(read_thought(path), path)
            except (OSError, ThoughtFormatError) as exc:
                log.warning("skipping %s: %s", path.name, exc)
                continue
            found.setdefault(stored.thought.id, stored)
        return list(found.values())

    def resolve(self, given: str) -> str:
        """A full id from an id or any part of one that only one letter has.

        A letter's file name or path (as `show` prints it) names it too. ThoughtNotFound if
        no letter has it; AmbiguousId, with the candidates, if several do.
        """
        if is_id(given):
            return given
        key = given.strip().lower()
        name = key.replace("\\", "/").rsplit("/", 1)[-1]
        if name.endswith((".md", ".eml")):
            key = name.rsplit(".", 1)[0]
        if not key:
            raise ThoughtNotFound(given)
        matches = sorted({path.stem for path in self.paths() if key in path.stem})
        if not matches:
            raise ThoughtNotFound(given)
        if len(matches) > 1:
            raise AmbiguousId(given, matches)
        return matches[0]


def is_leftover(path: Path, info: os.stat_result, now: float) -> bool:
    """A file in tmp/ that nothing will finish: a crash's leftover, safe to remove.

    - a second name of a stored file (a crash between linking a letter into place and
      removing its temp name): the letter is whole in its folder;
    - a temp file whose writer, a process on this machine, is no longer running;
    - anything older than 36 hours (Maildir's rule), such as an answer being edited when
      the terminal closed.
    """
    if not stat.S_ISREG(info.st_mode):
        return info.st_mtime < now - STALE_TMP_SECONDS
    if info.st_nlink > 1 or info.st_mtime < now - STALE_TMP_SECONDS:
        return True
    parts = path.name.split(".")
    if len(parts) == 6 and parts[5] == "tmp" and parts[4] == WRITER_HOST and parts[1].isdigit():
        return not _running(int(parts[1]))
    return False


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: running
        return True
    return True


def _move_without_replacing(source: Path, target: Path) -> None:
    """Rename `source` to `target`, or FileExistsError if `target` exists; never both names.

    Linux's renameat2(RENAME_NOREPLACE) does this in one step. Elsewhere (or on a file
    system without it) a hard link, then the temp name's removal: a crash in between leaves
    a second name in tmp/, which `is_leftover` knows. Without hard links either, a rename
    after checking the name is free (ids carry 32 random bits: two writers racing for one
    name is remote).
    """
    if _rename_noreplace(source, target):
        return
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if target.exists():
            raise FileExistsError(errno.EEXIST, "taken", str(target)) from None
        os.rename(source, target)
        return
    _unlink_quietly(source)


def _rename_noreplace(source: Path, target: Path) -> bool:
    """True if renamed; False where renameat2 is not there; FileExistsError if taken."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), _RENAME_NOREPLACE) == 0:
        return True
    code = ctypes.get_errno()
    if code == errno.EEXIST:
        raise FileExistsError(code, os.strerror(code), str(target))
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # this kernel or file system cannot: link and unlink instead
    raise OSError(code, os.strerror(code), str(target))


@functools.cache
def _renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without it (glibc before 2.28, some musl)
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def read_thought(path: Path) -> Thought:
    thought = parse(path.read_bytes())
    if thought.id != path.stem:
        raise ThoughtFormatError(f"{path.name} holds id {thought.id}")
    return thought


def _checked_name(name: str) -> str:
    stem, dot, suffix = name.partition(".")
    if not is_id(stem) or dot != "." or suffix not in ("md", "eml"):
        raise ValueError(f"not a thought file name: {name!r}")
    return name


def _fsync_dir(folder: Path) -> None:
    # The rename is only durable once the folder's entry is on disk too.
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
