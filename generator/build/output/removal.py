"""What a commit finds in the folder it writes: files that already hold the new bytes,
what stands in a new file's way, and what it may remove (for writer.commit).

Nothing here deletes: a commit sets things aside through its transaction (transaction.py),
so that a failure can put them back.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable, Mapping
from pathlib import Path

from generator.build.output.cache import OutputRecord
from generator.build.output.ownership import PRESERVED_NAMES, unknown_files

# Temporary files of a write by an earlier version of Fireside, which wrote each file
# beside its target; one killed half-way left such a file behind.
_TEMPORARY = re.compile(r"\.fireside-[A-Za-z0-9_]+\.tmp")


def holds(target: str, size: int, read: Callable[[], bytes]) -> bool:
    """True if the regular file `target` holds exactly the `size` bytes `read` gives."""
    try:
        found = os.lstat(target)
        if not stat.S_ISREG(found.st_mode) or found.st_size != size:
            return False
        with open(target, "rb") as handle:
            return handle.read() == read()
    except OSError:
        return False


def clear_way(root: Path, rel: str, set_aside: Callable[[str], None]) -> list[str]:
    """Set aside what stands where the plan needs a folder or the file itself; the files
    that go (folder-relative).

    Only entries inside `root` are touched: a file or link where a folder must be, a link
    where the file goes (it is replaced by a real file, its target untouched), a folder
    where the file goes (a page became a file).
    """
    gone: list[str] = []
    current = root
    for part in rel.split("/")[:-1]:
        current = current / part
        if current.is_symlink() or current.is_file():
            gone.append(current.relative_to(root).as_posix())
            set_aside(str(current))
    target = root / rel
    if target.is_symlink():
        set_aside(str(target))
    elif target.is_dir():
        gone.extend(files_in(root, target))
        set_aside(str(target))
    return gone


def in_the_way(root: Path, rel: str) -> list[str]:
    """The files clear_way would set aside for `rel` (for a dry run)."""
    gone: list[str] = []
    current = root
    for part in rel.split("/")[:-1]:
        current = current / part
        if current.is_symlink() or current.is_file():
            return [current.relative_to(root).as_posix()]
    target = root / rel
    if target.is_dir() and not target.is_symlink():
        gone.extend(files_in(root, target))
    return gone


def files_in(root: Path, folder: Path) -> list[str]:
    return sorted(
        path.relative_to(root).as_posix() for path in folder.rglob("*") if path.is_file() or path.is_symlink()
    )


def stale_recorded(root: Path, ledger: Mapping[str, OutputRecord], keep: set[str]) -> list[str]:
    """Files an earlier commit made (the ledger says so) that the plan no longer holds and
    that still hold what was written: one somebody changed since is theirs now."""
    stale = []
    for rel in sorted(set(ledger) - keep):
        record = ledger[rel]
        try:
            found = os.lstat(os.path.join(root, rel))
        except OSError:
            continue
        same = (found.st_size, found.st_mtime_ns) == (record.size, record.mtime_ns) if record else True
        if stat.S_ISREG(found.st_mode) and same:
            stale.append(rel)
    return stale


def unplanned(root: Path, keep: set[str]) -> list[str]:
    """Everything under `root` the plan does not hold (files, and links to folders), for a
    commit that removes it all; preserved names at the top are not counted."""
    return unknown_files(root, keep)


def is_temporary(rel: str) -> bool:
    return _TEMPORARY.fullmatch(rel.rpartition("/")[2]) is not None


def remove_empty_folders(root: Path, removed: tuple[str, ...], *, everywhere: bool) -> None:
    """Remove the folders that removing `removed` left empty (`everywhere`: every empty
    folder under `root`, but not the folder itself nor preserved names at its top)."""
    if everywhere:
        top = str(root)
        for dirpath, _dirnames, filenames in os.walk(top, topdown=False):
            if filenames or dirpath == top:
                continue  # not empty (a publish target has a folder per page: most hold a file)
            if os.path.relpath(dirpath, top).split(os.sep, 1)[0] in PRESERVED_NAMES:
                continue
            with contextlib.suppress(OSError):
                os.rmdir(dirpath)  # only succeeds when empty
        return
    for rel in removed:
        for parent in (root / rel).parents:
            if parent == root or not parent.is_relative_to(root):
                break
            with contextlib.suppress(OSError):
                parent.rmdir()  # only succeeds when empty
