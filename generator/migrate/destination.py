"""Writing an import into its destination: all of it, or nothing.

Nothing that exists is ever overwritten: before a byte is written every path is checked,
and if any is taken the import is refused, naming them. Files are created with "x" (fail
if present, even in a race), and everything written is remembered, so a failure halfway
(a full disk, a file appearing meanwhile) removes exactly what this import made and leaves
the destination as it was. Unanswered letters go into the inbox with its own Maildir
discipline (`InboxStore.write_new`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.inbox.store import FOLDERS, InboxStore
from generator.inbox.thought import Thought, serialize
from generator.site.config import CONFIG_NAME
from generator.site.errors import SiteError

log = logging.getLogger(__name__)
SHOWN_CONFLICTS = 10


class ImportRefused(SiteError):
    """The import would change what it must not; nothing was written."""


@dataclass(frozen=True)
class Destination:
    root: Path
    existing_site: bool  # a site.yaml is there: the import adds to that site


def choose_destination(dest: Path, source: Path) -> Destination:
    """Check that `dest` may receive an import from `source`; ImportRefused if not."""
    root = dest.resolve()
    source_root = source.resolve()
    if root == source_root or (source.is_dir() and root.is_relative_to(source_root)):
        raise ImportRefused(
            dest,
            None,
            f"is inside the source {source}; the import never changes its source: choose a folder outside it",
        )
    if root.exists() and not root.is_dir():
        raise ImportRefused(dest, None, "is a file, not a folder")
    if (root / CONFIG_NAME).is_file():
        return Destination(root, existing_site=True)
    if root.is_dir() and any(root.iterdir()):
        raise ImportRefused(
            dest,
            None,
            "is a folder with files but no site.yaml; import into a new or empty folder, or into a site",
        )
    return Destination(root, existing_site=False)


Content = bytes | Path  # bytes to write, or a source file to copy


def conflicts(root: Path, files: Mapping[str, Content]) -> list[str]:
    taken = []
    for rel in files:
        path = root / rel
        if path.exists() or path.is_symlink():
            taken.append(rel)
        else:
            # A file where a folder is needed ("content" as a file) is a conflict too.
            parent = path.parent
            while parent != root and not parent.exists():
                parent = parent.parent
            if parent != root and not parent.is_dir():
                taken.append(rel)
    return taken


def write(
    root: Path,
    files: Mapping[str, Content],
    inbox: Sequence[Thought],
    inbox_dir: Path,
    done: Callable[[int], None] | None = None,
) -> list[str]:
    """Write every file and letter; on any failure remove what was written and raise.
    `done(1)` is told of each file written (to show progress)."""
    taken = conflicts(root, files)
    if taken:
        shown = ", ".join(taken[:SHOWN_CONFLICTS]) + (
            f" and {len(taken) - SHOWN_CONFLICTS} more" if len(taken) > SHOWN_CONFLICTS else ""
        )
        raise ImportRefused(
            root,
            None,
            f"the import would overwrite {len(taken)} existing file(s): {shown}; "
            "move them away or import into a new folder (nothing was written)",
        )
    made_dirs: list[Path] = []
    written: list[Path] = []
    try:
        if not root.exists():
            _mkdirs(root, made_dirs)
        for rel, content in sorted(files.items()):
            path = root / rel
            if not path.resolve().is_relative_to(root):
                raise ImportRefused(rel, None, "would be written outside the destination")
            _mkdirs(path.parent, made_dirs)
            with path.open("xb") as handle:
                written.append(path)
                if isinstance(content, Path):
                    with content.open("rb") as source:
                        shutil.copyfileobj(source, handle)
                else:
                    handle.write(content)
            if done is not None:
                done(1)
        if inbox:
            store = InboxStore(inbox_dir)
            for folder in (
                inbox_dir,
                *(inbox_dir / name for name in ("tmp", "new", "cur", "archive", "spam", "drafts")),
            ):
                if not folder.exists():
                    folder.mkdir(mode=0o700, parents=True)
                    made_dirs.append(folder)
            for thought in inbox:
                written.append(
                    store.write_new(serialize(thought), FOLDERS[thought.status], thought.file_name)
                )
    except BaseException as exc:
        _undo(written, made_dirs)
        if isinstance(exc, SiteError):
            raise
        if isinstance(exc, OSError):
            raise ImportRefused(
                exc.filename or root, None, f"{exc.strerror or exc}; everything this import wrote was removed"
            ) from exc
        raise
    return [p.relative_to(root).as_posix() for p in written]


def _mkdirs(folder: Path, made: list[Path]) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        made.append(path)


def _undo(written: list[Path], made_dirs: list[Path]) -> None:
    for path in reversed(written):
        with contextlib.suppress(OSError):
            path.unlink()
    for folder in reversed(made_dirs):
        with contextlib.suppress(OSError):
            os.rmdir(folder)  # only if empty: never what someone else put there meanwhile
    log.info("import undone: %d files and %d folders removed", len(written), len(made_dirs))
