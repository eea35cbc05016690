"""Changes to a folder that are all made or none (for writer.commit).

Every new file is first written whole into a work folder at the top of the folder being
changed (`.fireside-commit-<pid>-<random>/`): a full disk or any other write error
shows there, before anything the folder held is touched. Only then are files renamed
into place, and whatever they replace or a prune removes is kept aside in the work
folder (a hard link, else a copy) until the last change is made. On any error, or an
interruption, `rollback` undoes the changes in reverse order: the folder is left as it
was, the same files with the same bytes and times. `finish` drops what was kept aside.

A process killed mid-commit leaves its work folder behind; the next commit into that
folder removes it (`remove_leftovers`), so nothing of a killed write outlives the next
build. Renames stay within one file system (the work folder is inside the folder), except
where a folder inside it is another mount: there a file is copied beside its target.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from generator.build.output.ownership import WORK_PREFIX

log = logging.getLogger(__name__)

# A work folder whose process is gone is a leftover; one this old is too, whatever its
# number says (process numbers are reused).
STALE_WORK_SECONDS = 3600


class Transaction:
    """The journal of one commit's changes under `root`, with the means to undo them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._work: Path | None = None
        self._count = 0
        # ("dir", path) | ("new", path) | ("replaced", path, kept) | ("aside", path, kept)
        self._undo: list[tuple[str, ...]] = []
        self.doing: str | None = None  # the output path being written, for error messages

    # -- the first phase: every new file written whole, nothing replaced yet -------------------

    def stage(self, data: bytes) -> str:
        """`data` written to a new file of the work folder; its path."""
        path = self._next("new")
        with open(path, "xb") as handle:
            handle.write(data)
        os.chmod(path, 0o644)  # whatever the umask: a published site is readable
        return path

    def stage_copy(self, source: Path) -> str:
        """A copy of the file `source` in the work folder; its path."""
        path = self._next("new")
        shutil.copyfile(source, path)
        os.chmod(path, 0o644)
        return path

    # -- the second phase: changes in place, each one undoable ---------------------------------

    def make_dirs(self, folder: str) -> None:
        """Make `folder` and the folders above it that are missing (under root)."""
        missing = []
        current = folder
        while current != str(self.root) and not os.path.isdir(current):
            missing.append(current)
            current = os.path.dirname(current)
        for path in reversed(missing):
            os.mkdir(path)
            self._undo.append(("dir", path))

    def place(self, source: str, target: str, *, existed: bool) -> None:
        """Rename the new file `source` to `target`, keeping what `target` held aside."""
        if existed:
            kept = self._keep(target)
            self._undo.append(("replaced", target, kept))
        try:
            os.replace(source, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            self._copy_beside(source, target)
        if not existed:
            self._undo.append(("new", target))

    def set_aside(self, path: str) -> None:
        """Move `path` (a file, a link or a whole folder) out of the way, undoably."""
        kept = self._next("aside")
        try:
            os.rename(path, kept)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # Another mount inside the folder: a copy is kept, then the original goes.
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.copytree(path, kept, symlinks=True)
                shutil.rmtree(path)
            else:
                shutil.copy2(path, kept, follow_symlinks=False)
                os.unlink(path)
        self._undo.append(("aside", path, kept))

    # -- the end ---------------------------------------------------------------------------

    def finish(self) -> None:
        """Keep the changes: drop the work folder (what was replaced or removed)."""
        self._undo.clear()
        self._drop_work()

    def rollback(self) -> list[str]:
        """Undo every change, newest first; the paths that could not be put back."""
        failed = []
        for entry in reversed(self._undo):
            kind, path = entry[0], entry[1]
            try:
                if kind == "dir":
                    os.rmdir(path)
                elif kind == "new":
                    os.unlink(path)
                else:  # "replaced", "aside": the original back in its place
                    os.replace(entry[2], path)
            except OSError as exc:
                log.error("could not undo a change to %s: %s", path, exc)
                failed.append(os.path.relpath(path, self.root))
        self._undo.clear()
        if not failed:
            self._drop_work()
        return failed

    # -- helpers ---------------------------------------------------------------------------

    def _next(self, kind: str) -> str:
        if self._work is None:
            self._work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=self.root))
        self._count += 1
        return os.path.join(self._work, f"{kind}-{self._count}")

    def _keep(self, target: str) -> str:
        """What `target` holds, kept in the work folder: a second link to the same file."""
        kept = self._next("old")
        try:
            os.link(target, kept, follow_symlinks=False)
        except OSError:  # no hard links here (or another mount): a copy, times and all
            shutil.copy2(target, kept, follow_symlinks=False)
        return kept

    def _copy_beside(self, source: str, target: str) -> None:
        folder = os.path.dirname(target)
        fd, temp = tempfile.mkstemp(prefix=".fireside-", suffix=".tmp", dir=folder)
        os.close(fd)
        try:
            shutil.copyfile(source, temp)
            os.chmod(temp, 0o644)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        os.unlink(source)

    def _drop_work(self) -> None:
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
            self._work = None


def remove_leftovers(root: Path) -> None:
    """Remove the work folders of commits into `root` whose process was killed."""
    try:
        entries = [entry for entry in os.scandir(root) if entry.name.startswith(WORK_PREFIX)]
    except OSError:
        return
    for entry in entries:
        if _is_stale(entry):
            log.info("removing %s, left by a write that was interrupted", entry.path)
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _is_stale(entry: os.DirEntry[str]) -> bool:
    pid_text = entry.name[len(WORK_PREFIX) :].split("-", 1)[0]
    try:
        if time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_WORK_SECONDS:
            return True
        pid = int(pid_text)
    except (OSError, ValueError):
        return True
    if pid == os.getpid():
        return False  # this process's own, in use
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False
