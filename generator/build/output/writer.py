"""Putting a finished build on disk.

The build assembles an `OutputPlan` (pages in memory, or parked in a staging folder of
the build cache: see staging.py) and only calls `commit` once it has no errors, so a failed
build never touches the previous output. `commit` writes a file only when its bytes
changed (unchanged files keep their mtime, so rsync and CDN uploads stay small), removes
files the new build no longer produces where they are Fireside's own to remove (see
ownership.py), and never deletes or writes anything outside the output folder (besides
the build's own staging folder). It is all or nothing (see transaction.py): a write that
fails, for a full disk or any other reason, leaves the folder exactly as it was.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.build.output import removal
from generator.build.output.cache import OutputRecord, digest_bytes
from generator.build.output.ownership import MARKER_FILE, FolderState, claim_folder
from generator.build.output.staging import Staged
from generator.build.output.transaction import Transaction, remove_leftovers
from generator.site.errors import BuildFailed, SiteError

log = logging.getLogger(__name__)

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
    added_paths: tuple[str, ...] = ()  # of those written, the ones that were not there before
    removed_paths: tuple[str, ...] = ()  # the ones removed
    # Files in a folder Fireside had no record of (see ownership.py), left alone.
    left_alone: tuple[str, ...] = ()


class OutputWriteFailed(BuildFailed):
    """Writing the output failed (a full disk, say) and what was there was put back.

    A BuildFailed holding one error: the CLI reports it as it reports any failed build."""


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
    clean: bool = False,
    mirror: bool = False,
    dry_run: bool = False,
) -> WriteStats:
    """Make `output_dir` hold the plan's files; FolderRefused (ownership.py) where that
    could delete files Fireside did not make.

    `ledger` (what the last commit wrote, see cache.py) says which files are Fireside's
    to remove, and is updated in place to record what this one leaves, so the next build
    can confirm files without reading them. `clean` removes everything the plan does not
    hold (PRESERVED_NAMES at the top excepted), as `mirror` does in a folder that is
    Fireside's own. `dry_run` reports what a commit would change, changing nothing.
    Raises OutputWriteFailed, with the folder as it was, when a write fails.
    """
    ledger = ledger if ledger is not None else {}
    claim = claim_folder(output_dir, recorded=bool(ledger), clean=clean, mirror=mirror)
    if dry_run:
        return _foresee(plan, output_dir.absolute(), ledger, claim.prune_all)
    made_folder = not output_dir.exists()
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_failed(output_dir, None, exc, []) from exc
    root = output_dir.resolve()
    remove_leftovers(root)
    transaction = Transaction(root)
    records: dict[str, OutputRecord] = {}
    try:
        if claim.state is FolderState.EMPTY and _is_empty(root) and _fills_plainly(plan):
            stats = _fill(plan, root, transaction, records)
        else:
            stats = _update(plan, root, ledger, transaction, records, claim.prune_all)
            if claim.state is FolderState.MARKED and not claim.prune_all:
                stats = _with_left_alone(stats, root, plan, transaction)
        transaction.finish()
    except BaseException as exc:
        failed = transaction.rollback()
        if made_folder and not failed:
            shutil.rmtree(output_dir, ignore_errors=True)  # it was not there before
        if isinstance(exc, OSError):
            raise _write_failed(root, transaction.doing, exc, failed) from exc
        raise
    finally:
        _remove_staging_folders(plan)
    removal.remove_empty_folders(root, stats.removed_paths, everywhere=claim.prune_all)
    ledger.update(records)
    for rel in set(ledger) - set(plan.contents):
        del ledger[rel]
    log.debug("wrote %d, unchanged %d, removed %d", stats.written, stats.unchanged, stats.removed)
    return stats


def _write_failed(root: Path, rel: str | None, exc: OSError, failed: list[str]) -> OutputWriteFailed:
    reason = exc.strerror or str(exc)
    message = f"could not write the output into {root}: {reason}" + (f" (at {rel})" if rel else "")
    if failed:
        shown = ", ".join(sorted(failed)[:5]) + (", ..." if len(failed) > 5 else "")
        message += f"; {len(failed)} files could not be put back as they were: {shown}"
    else:
        message += "; the folder was left exactly as it was"
    return OutputWriteFailed([SiteError(None, None, message)])


def _foresee(
    plan: OutputPlan, root: Path, ledger: dict[str, OutputRecord], prune_all: bool
) -> WriteStats:
    """What `commit` would change, by the same rules, reading only."""
    unchanged = 0
    written: list[str] = []
    added: list[str] = []
    removed: set[str] = set()
    exists = root.is_dir()
    for rel, content in sorted(plan.contents.items()):
        if isinstance(content, Kept):
            unchanged += 1
            continue
        target = os.path.join(root, rel)
        data = content.path.read_bytes() if isinstance(content, Staged) else _content_bytes(content)
        if exists and removal.holds(target, len(data), lambda data=data: data):
            unchanged += 1
            continue
        written.append(rel)
        if exists:
            removed.update(removal.in_the_way(root, rel))
        if not os.path.isfile(target) or os.path.islink(target):
            added.append(rel)
    if exists:
        keep = set(plan.contents)
        stale = removal.unplanned(root, keep) if prune_all else removal.stale_recorded(root, ledger, keep)
        removed.update(stale)
    return WriteStats(
        written=len(written),
        unchanged=unchanged,
        removed=len(removed),
        changed_paths=tuple(sorted({*written, *removed})),
        added_paths=tuple(added),
        removed_paths=tuple(sorted(removed)),
    )


def _content_bytes(content: Content) -> bytes:
    if isinstance(content, Path):
        return content.read_bytes()
    assert isinstance(content, bytes)
    return content


def _marker_first(items: list[tuple[str, str, str, bool]]) -> Iterator[tuple[str, str, str, bool]]:
    """The marker is placed first: a write killed half-way leaves a folder that says it
    is Fireside's own, so the next build adopts it instead of refusing it."""
    yield from (item for item in items if item[0] == MARKER_FILE)
    yield from (item for item in items if item[0] != MARKER_FILE)


def _update(
    plan: OutputPlan,
    root: Path,
    ledger: dict[str, OutputRecord],
    transaction: Transaction,
    records: dict[str, OutputRecord],
    prune_all: bool,
) -> WriteStats:
    top = str(root)
    unchanged = 0
    writes: list[tuple[str, str, str, bool]] = []  # (rel, new file, digest, staged by the build)
    # First every new file is written whole (transaction.py); nothing is replaced yet.
    for rel, content in sorted(plan.contents.items()):
        if isinstance(content, Kept):
            unchanged += 1  # the build confirmed it against the ledger just now
            continue
        target = os.path.join(top, rel)
        transaction.doing = rel
        if isinstance(content, Staged):
            size = os.stat(content.path).st_size
            if removal.holds(target, size, content.path.read_bytes):
                unchanged += 1
                records[rel] = _record(target, content.digest)
            else:
                writes.append((rel, str(content.path), content.digest, True))
            continue
        data = _content_bytes(content)
        digest = digest_bytes(data)
        if removal.holds(target, len(data), lambda data=data: data):
            unchanged += 1
            records[rel] = _record(target, digest)
        else:
            writes.append((rel, transaction.stage(data), digest, False))
    # Then each is renamed into place, what stood in its way set aside.
    removed: list[str] = []
    added: list[str] = []
    for rel, source, digest, staged in _marker_first(writes):
        transaction.doing = rel
        removed.extend(removal.clear_way(root, rel, transaction.set_aside))
        target = root / rel
        # After clear_way no link stands on the way, so this holds for any plan path.
        if not target.parent.resolve().is_relative_to(root):
            raise ValueError(f"refusing to write {rel!r}: it resolves outside {root}")
        transaction.make_dirs(str(target.parent))
        existed = target.is_file()
        if staged:
            os.chmod(source, 0o644)
        transaction.place(source, str(target), existed=existed)
        if not existed:
            added.append(rel)
        records[rel] = _record(str(target), digest)
    # Then what the plan no longer holds, where it is Fireside's to remove.
    keep = set(plan.contents)
    stale = removal.unplanned(root, keep) if prune_all else removal.stale_recorded(root, ledger, keep)
    for rel in stale:
        transaction.doing = rel
        transaction.set_aside(os.path.join(top, rel))
        removed.append(rel)
    written = [rel for rel, _, _, _ in writes]
    gone = set(removed)
    return WriteStats(
        written=len(written),
        unchanged=unchanged,
        removed=len(gone),
        changed_paths=tuple(sorted({*written, *gone})),
        added_paths=tuple(sorted(added)),
        removed_paths=tuple(sorted(gone)),
    )


def _with_left_alone(stats: WriteStats, root: Path, plan: OutputPlan, transaction: Transaction) -> WriteStats:
    """A folder with Fireside's marker and no record of what it holds: what the plan does
    not hold is left alone (and reported), except temporary files of Fireside's own."""
    left = []
    for rel in removal.unplanned(root, set(plan.contents)):
        if removal.is_temporary(rel):
            transaction.set_aside(str(root / rel))
        else:
            left.append(rel)
    return dataclasses.replace(stats, left_alone=tuple(left))


def _record(target: str, digest: str) -> OutputRecord:
    found = os.stat(target)
    return OutputRecord(digest, found.st_size, found.st_mtime_ns, found.st_ino)


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


def _fill(
    plan: OutputPlan, root: Path, transaction: Transaction, records: dict[str, OutputRecord]
) -> WriteStats:
    """`commit` into an empty folder (a first build): nothing there to compare, clear or prune
    (and, see _fills_plainly, nothing planned in another file's way).

    Every folder on the way is made here, so none can be a link leading elsewhere, and
    each is made once: a thousand posts are a thousand folders, and the checks of the
    general case cost more than the files themselves.
    """
    top = str(root)
    writes: list[tuple[str, str, str, bool]] = []
    for rel, content in sorted(plan.contents.items()):
        transaction.doing = rel
        if isinstance(content, Staged):
            os.chmod(content.path, 0o644)
            writes.append((rel, str(content.path), content.digest, True))
            continue
        data = content.read_bytes() if isinstance(content, Path) else content
        assert isinstance(data, bytes)  # no Kept: see _fills_plainly
        writes.append((rel, transaction.stage(data), digest_bytes(data), False))
    made = {""}
    for rel, source, digest, _ in _marker_first(writes):
        transaction.doing = rel
        folder = rel.rpartition("/")[0]
        if folder not in made:
            transaction.make_dirs(os.path.join(top, folder))
            while folder not in made:
                made.add(folder)
                folder = folder.rpartition("/")[0]
        target = os.path.join(top, rel)
        transaction.place(source, target, existed=False)
        records[rel] = _record(target, digest)
    written = tuple(rel for rel, _, _, _ in writes)
    log.debug("wrote %d into an empty folder", len(written))
    return WriteStats(
        written=len(written), unchanged=0, removed=0, changed_paths=written, added_paths=written
    )
