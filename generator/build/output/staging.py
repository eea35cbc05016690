"""Finished pages parked on disk until the build commits them (see Staging)."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from generator.build.output.cache import digest_bytes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Staged:
    """An output file already written to the build's staging folder (see Staging)."""

    path: Path
    digest: str


STAGING_PREFIX = "staging-"
# A staging folder this old belongs to a build that was killed; younger ones may belong
# to a build still running beside this one.
STALE_STAGING_SECONDS = 3600


class Staging:
    """Finished files parked in a folder of the build cache until the build commits.

    A large site's pages are not all held in memory until the end of the build: each goes
    to this build's staging folder as it is made, and writer.commit renames it into place (or
    drops it, when the file there already holds those bytes). The folder is on the output
    folder's file system (`beside` checks), so a commit is a rename, and outside the
    output folder, which no build touches before it commits. A build that fails calls
    `discard`; where a file cannot be parked, `park` says so and the bytes stay in memory.
    """

    def __init__(self, parent: Path) -> None:
        self.parent = parent
        self.folder: Path | None = None
        self.count = 0

    @classmethod
    def beside(cls, cache_dir: Path, output_dir: Path) -> Staging | None:
        """Staging in `cache_dir` if it is on the file system of `output_dir`, else None."""
        if _device(cache_dir) != _device(output_dir):
            return None
        return cls(cache_dir)

    def park(self, data: bytes, digest: str | None = None) -> Staged | None:
        """`data` (whose sha256 is `digest`, when known) written to the staging folder, or
        None if it cannot be."""
        try:
            if self.folder is None:
                self.parent.mkdir(parents=True, exist_ok=True)
                _remove_stale_staging(self.parent)
                self.folder = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.parent))
            self.count += 1
            path = self.folder / str(self.count)
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            log.debug("keeping a page in memory: cannot stage it (%s)", exc)
            return None
        return Staged(path, digest if digest is not None else digest_bytes(data))

    def discard(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _device(path: Path) -> int | None:
    """The file system of `path`, or of its nearest existing folder."""
    for candidate in (path, *path.parents):
        try:
            return candidate.stat().st_dev
        except OSError:
            continue
    return None


def _remove_stale_staging(parent: Path) -> None:
    stale = time.time() - STALE_STAGING_SECONDS
    with os.scandir(parent) as entries:
        found = [
            entry.path
            for entry in entries
            if entry.name.startswith(STAGING_PREFIX)
            and entry.is_dir(follow_symlinks=False)
            and entry.stat(follow_symlinks=False).st_mtime < stale
        ]
    for folder in found:
        shutil.rmtree(folder, ignore_errors=True)
