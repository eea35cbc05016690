"""Putting a finished build on disk.

The build assembles an `OutputPlan` (pages in memory, or parked in a staging folder of
the build cache: see staging.py) and only calls `commit` once it has no errors, so a failed
build never touches the previous output. `commit` writes a file only when its bytes
changed (unchanged files keep their mtime, so rsync and CDN uploads stay small), writes
each file atomically (temp file + rename), removes files the new build no longer
produces, and never deletes or writes anything outside the output folder (besides the
build's own staging folder).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.build.output.cache import OutputRecord, digest_bytes
from generator.build.output.staging import Staged
from generator.site.errors import SiteError

log = logging.getLogger(__name__)

# Entries of the output folder that belong to someone else: a gh-pages worktree's .git,
# for instance. They are never pruned.
PRESERVED_NAMES = frozenset({".git", ".gitignore", ".nojekyll", "CNAME"})


@dataclass(frozen=True)
class Kept:
    """An output file the build has confirmed already holds the right bytes (see cache.py)."""

    digest: str


Content = bytes | Path | Kept | Staged


@dataclass(frozen=True)
class Origin:
    """What produced an output file, for 'two pages with the same URL' errors."""

    path: Path | str
    line: int | None = None


@dataclass
class OutputPlan:
    """Every file of the finished site: output-relative POSIX path → bytes or a file to copy."""

    contents: dict[str, Content] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)

    def add(self, rel: str, content: Content, origin: Origin, *, replace: bool = False) -> SiteError | None:
        """Add one file; a second file at the same path is an error unless `replace` (static layers)."""
        rel = _checked_rel(rel)
        if rel in self.contents and not replace:
            first = self.origins[rel]
            where = f"{first.path}:{first.line}" if first.line else str(first.path)
            message = f"two pages with the same URL: {rel} is also made by {where}"
            return SiteError(origin.path, origin.line, message)
        self.contents[rel] = content
        self.origins[rel] = origin
        return None


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int
    changed_paths: tuple[str, ...] = ()  # output-relative paths written or removed, sorted


def _checked_rel(rel: str) -> str:
    if rel and not rel.startswith("/") and "\\" not in rel and all(
        part not in ("", ".", "..") for part in rel.split("/")
    ):
        return rel  # already a plain relative POSIX path (the common case, checked cheaply)
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"output path {rel!r} is not inside the output folder")
    return path.as_posix()


def commit(
    plan: OutputPlan,
    output_dir: Path,
    ledger: dict[str, OutputRecord] | None = None,
    *,
    full_prune: bool = True,
) -> WriteStats:
    """Make `output_dir` hold exactly the plan's files (plus PRESERVED_NAMES at its top).

    `ledger` (what the last commit wrote, see cache.py) is updated in place to record
    what this one leaves, so the next build can confirm files without reading them.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    root = output_dir.resolve()
    ledger = ledger if ledger is not None else {}
    if _is_empty(root) and _fills_plainly(plan):
        return _fill(plan, root, ledger)
    had_ledger = bool(ledger)
    written = unchanged = 0
    changed: list[str] = []
    removed: list[str] = []
    for rel, content in sorted(plan.contents.items()):
        if isinstance(content, Kept):
            unchanged += 1  # the build confirmed it against the ledger just now
            continue
        removed.extend(_clear_way(root, rel))
        target = root / rel
        # After _clear_way no link stands on the way, so this holds for any plan path.
        if not target.parent.resolve().is_relative_to(root):
            raise ValueError(f"refusing to write {rel!r}: it resolves outside {root}")
        if isinstance(content, Staged):
            digest = content.digest
            changed_now = _move_if_changed(target, content.path)
        else:
            data = content.read_bytes() if isinstance(content, Path) else content
            digest = digest_bytes(data)
            changed_now = _write_if_changed(target, data)
        if changed_now:
            written += 1
            changed.append(rel)
        else:
            unchanged += 1
        found = target.stat()
        ledger[rel] = OutputRecord(digest, found.st_size, found.st_mtime_ns)
    _remove_staging_folders(plan)
    # Without a ledger (a first build into this folder) every file is looked at; with one,
    # the files this writer made and the plan no longer holds are enough (a preview's
    # private temp folder, where walking thousands of folders per save would be the cost).
    if full_prune or not had_ledger:
        removed.extend(_prune(root, set(plan.contents)))
    else:
        removed.extend(_prune_recorded(root, set(ledger) - set(plan.contents)))
    for rel in set(ledger) - set(plan.contents):
        del ledger[rel]
    log.debug("wrote %d, unchanged %d, removed %d", written, unchanged, len(removed))
    return WriteStats(
        written=written,
        unchanged=unchanged,
        removed=len(removed),
        changed_paths=tuple(sorted({*changed, *removed})),
    )


def _remove_staging_folders(plan: OutputPlan) -> None:
    """The staging folders of the plan's pages, once they are in place: what is left in
    them are files whose bytes were already there."""
    for folder in {content.path.parent for content in plan.contents.values() if isinstance(content, Staged)}:
        shutil.rmtree(folder, ignore_errors=True)


def _is_empty(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def _fills_plainly(plan: OutputPlan) -> bool:
    """True if no planned file is kept (Kept) or stands where another needs a folder."""
    folders = set()
    for rel, content in plan.contents.items():
        if isinstance(content, Kept):
            return False
        folder = rel.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders.isdisjoint(plan.contents)


def _fill(plan: OutputPlan, root: Path, ledger: dict[str, OutputRecord]) -> WriteStats:
    """`commit` into an empty folder (a first build): nothing there to compare, clear or prune
    (and, see _fills_plainly, nothing planned in another file's way).

    Every folder on the way is made here, so none can be a link leading elsewhere, and
    each is made once: a thousand posts are a thousand folders, and the checks of the
    general case cost more than the files themselves.
    """
    top = str(root)
    made = {""}
    written: list[str] = []
    for rel, content in sorted(plan.contents.items()):
        folder, _, _ = rel.rpartition("/")
        if folder not in made:
            os.makedirs(os.path.join(top, folder), exist_ok=True)
            while folder not in made:
                made.add(folder)
                folder = folder.rpartition("/")[0]
        target = os.path.join(top, rel)
        if isinstance(content, Staged):
            digest = content.digest
            os.chmod(content.path, 0o644)
            try:
                os.replace(content.path, target)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                _write_if_changed(Path(target), content.path.read_bytes())  # see _move_if_changed
        else:
            data = content.read_bytes() if isinstance(content, Path) else content
            assert isinstance(data, bytes)  # no Kept: see _fills_plainly
            digest = digest_bytes(data)
            _write_if_changed(Path(target), data)
        found = os.stat(target)
        ledger[rel] = OutputRecord(digest, found.st_size, found.st_mtime_ns)
        written.append(rel)
    _remove_staging_folders(plan)
    for rel in set(ledger) - set(plan.contents):
        del ledger[rel]  # recorded, but gone from the folder since (someone emptied it)
    log.debug("wrote %d into an empty folder", len(written))
    return WriteStats(written=len(written), unchanged=0, removed=0, changed_paths=tuple(written))


def _clear_way(root: Path, rel: str) -> list[str]:
    """Remove what stands where the plan needs a folder or the file itself; return what went.

    Only entries inside `root` are touched: a file or link where a folder must be, a link
    where the file goes (it is replaced by a real file, its target untouched), a folder
    where the file goes (a page became a file).
    """
    gone: list[str] = []
    current = root
    parts = rel.split("/")
    for part in parts[:-1]:
        current = current / part
        if current.is_symlink() or current.is_file():
            current.unlink()
            gone.append(current.relative_to(root).as_posix())
    target = root / rel
    if target.is_symlink():
        target.unlink()
    elif target.is_dir():
        inside = target.rglob("*")
        gone.extend(p.relative_to(root).as_posix() for p in inside if p.is_file() or p.is_symlink())
        shutil.rmtree(target)
    return gone


def _move_if_changed(target: Path, staged: Path) -> bool:
    """Rename a staged file into place, unless the file there already holds its bytes."""
    try:
        size = staged.stat().st_size
        if target.is_file() and target.stat().st_size == size and target.read_bytes() == staged.read_bytes():
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(staged, 0o644)
    try:
        os.replace(staged, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        # One device, two mounts (a bind mount): a rename cannot cross them, a copy can.
        return _write_if_changed(target, staged.read_bytes())
    return True


def _write_if_changed(target: Path, data: bytes) -> bool:
    try:
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".fireside-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return True


def _prune(root: Path, keep: set[str]) -> list[str]:
    """Remove files and links under `root` that the plan does not hold, then empty folders."""
    removed: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, topdown=True):
        current = Path(dirpath)
        if current == root:
            dirnames[:] = [d for d in dirnames if d not in PRESERVED_NAMES]
        for name in list(dirnames):
            path = current / name
            if path.is_symlink():  # a link to a folder: remove the link, never follow it
                path.unlink()
                dirnames.remove(name)
                removed.append(path.relative_to(root).as_posix())
        for name in filenames:
            path = current / name
            rel = path.relative_to(root).as_posix()
            if rel in keep or (current == root and name in PRESERVED_NAMES):
                continue
            path.unlink()
            removed.append(rel)
    for dirpath, _dirnames, _ in os.walk(root, topdown=False):
        current = Path(dirpath)
        if current == root or current.relative_to(root).parts[0] in PRESERVED_NAMES:
            continue
        with contextlib.suppress(OSError):
            current.rmdir()  # only succeeds when empty
    return removed


def _prune_recorded(root: Path, stale: set[str]) -> list[str]:
    """Remove the given files (made by an earlier commit) and the folders they leave empty."""
    removed = []
    for rel in sorted(stale):
        path = root / rel
        if path.is_symlink() or path.is_file():
            path.unlink()
            removed.append(rel)
        for parent in path.parents:
            if parent == root or not parent.is_relative_to(root):
                break
            with contextlib.suppress(OSError):
                parent.rmdir()  # only succeeds when empty
    return removed
