"""The inbox folder: Maildir discipline for thought files (under inbox).

    inbox/tmp/      files being written (never read as thoughts)
    inbox/new/      letters not yet answered
    inbox/cur/      answered letters
    inbox/archive/  letters put away
    inbox/spam/     honeypot and too-quick submissions, for review
    inbox/drafts/   .eml drafts of answers, when there is no SMTP server

A file is written whole into tmp/, fsynced, then hard-linked into its folder under its
final name (which fails, rather than overwrites, if the name is taken) and the folder is
fsynced: a crash leaves either the whole thought or none of it in new/, never a part.
Changes to an existing thought are written the same way and renamed over it. Folders
and files are private to their owner (0700/0600). File names only ever come from a
generated id, never from anything a reader sent.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.inbox.thought import Status, Thought, ThoughtFormatError, is_id, parse, serialize

log = logging.getLogger(__name__)

FOLDERS: dict[Status, str] = {"new": "new", "answered": "cur", "archived": "archive", "spam": "spam"}
ALL_FOLDERS = ("tmp", "new", "cur", "archive", "spam", "drafts")
STALE_TMP_SECONDS = 36 * 3600  # Maildir's rule: older temp files are leftovers of a crash
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
            try:
                os.link(temp, target)
            except FileExistsError:
                raise
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                # A file system without hard links: rename, after checking the name is free
                # (ids carry 32 random bits, so two writers racing for one name is remote).
                if target.exists():
                    raise FileExistsError(errno.EEXIST, "taken", str(target)) from None
                os.rename(temp, target)
            _fsync_dir(target.parent)
        except FileExistsError:
            _unlink_quietly(temp)
            raise
        except OSError as exc:
            _unlink_quietly(temp)
            raise StoreUnavailable(exc.errno, f"cannot store a thought: {exc.strerror}") from exc
        _unlink_quietly(temp)
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
        # Unique per process, thread and call: two gunicorn workers never share a temp file.
        name = f"{time.time_ns()}.{os.getpid()}.{threading.get_ident()}.{secrets.token_hex(4)}.tmp"
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
        """Remove temp files old enough to be a crash's leftovers; recent ones may be in use."""
        cutoff = (now if now is not None else time.time()) - STALE_TMP_SECONDS
        removed = 0
        with contextlib.suppress(OSError):
            for path in self.folder("tmp").iterdir():
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed += 1
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
