"""What `fireside check` remembers between runs, so that checking what has not changed
costs next to nothing (kept in `.fireside-cache/check/`).

Two files. The small one holds the last reports, each under a signature of everything
it was made from: the options, the state (size, time, inode) of every file of the folder
checked, the build's stamp (which stands for every source, template and setting) or, for
a folder built elsewhere, the state of the sources, and the inbox. A check whose
signature is one of them gives that report without reading any file.

The large one holds what was read: each file's facts under its path, the digest of its
bytes and the base URL (a file's facts depend on nothing else), the state each file of a
folder had when its digest was taken, and the build's site map under its stamp. A check
whose signature is new reads only the files whose bytes it has not seen, and then checks
every link again against the current files: a page that did not change can still have
a link broken by the removal of what it points at.

Everything is keyed by what it depends on, and both files carry the version of the
check's own code: a memory that does not match is simply not used.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from generator import __version__
from generator.build.output.cache import read_checked, write_checked
from generator.check.facts import FileFacts
from generator.check.leaks import Unpublished
from generator.check.sitebuild import Identity, SiteMap
from generator.check.trace import Finding

log = logging.getLogger(__name__)

MEMORY_DIR = "check"  # in .fireside-cache/
REPORTS_FILE = "reports.pickle"
FACTS_FILE = "facts.pickle"
CHECK_FORMAT = 1
KEPT_REPORTS = 8  # signatures remembered (options and folders a site is checked with)

# (size, mtime_ns, inode) of a file, and its digest when taken.
FileState = tuple[int, int, int]


@functools.cache
def memory_version() -> str:
    """Fireside's version, the memory's format and the state of the check's own code."""
    code = Path(__file__).resolve().parent
    states = []
    for path in sorted(code.glob("*.py")):
        found = path.stat()
        states.append((path.name, found.st_size, found.st_mtime_ns))
    return hashlib.sha256(repr((__version__, CHECK_FORMAT, states)).encode()).hexdigest()


@dataclass(frozen=True)
class Remembered:
    """A report as `_check_output` made it (before --strict, build warnings and git)."""

    findings: tuple[Finding, ...]
    pages: int
    files: int
    valid_until: datetime | None  # the next future post's date: drafts and dates change then


@dataclass
class Reports:
    version: str = field(default_factory=memory_version)
    entries: dict[str, Remembered] = field(default_factory=dict)  # signature → report, oldest first
    # site root → (state of git's index, the inbox files it tracks)
    tracked: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


@dataclass
class Facts:
    version: str = field(default_factory=memory_version)
    # folder → output-relative path → (state, digest) of each file read there
    states: dict[str, dict[str, tuple[FileState, str]]] = field(default_factory=dict)
    # (output-relative path, digest, base URL) → what the file says
    facts: dict[tuple[str, str, str], FileFacts] = field(default_factory=dict)
    # (digest, title) → whether the page shows the title (an unpublished post's)
    quoted: dict[tuple[str, str], bool] = field(default_factory=dict)
    # folder → (signature of its file list, file → (digest, broken links, pages anchored into))
    links: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    # output folder → (identity of the stamp the build left, the site map of that build)
    site_maps: dict[str, tuple[Identity, SiteMap]] = field(default_factory=dict)
    # site root → (signature of the sources, drafts and future posts, the next one's date)
    unpublished: dict[str, tuple[str, tuple[Unpublished, ...], datetime | None]] = field(default_factory=dict)


class CheckMemory:
    """The check's memory of one site: reports first, facts only when they are needed."""

    def __init__(self, cache_dir: Path) -> None:
        self.folder = cache_dir / MEMORY_DIR
        self._reports: Reports | None = None
        self._facts: Facts | None = None

    @property
    def reports(self) -> Reports:
        if self._reports is None:
            found = read_checked(self.folder / REPORTS_FILE)
            valid = isinstance(found, Reports) and found.version == memory_version()
            self._reports = found if valid else Reports()
        return self._reports

    @property
    def facts(self) -> Facts:
        if self._facts is None:
            found = read_checked(self.folder / FACTS_FILE)
            valid = isinstance(found, Facts) and found.version == memory_version()
            self._facts = found if valid else Facts()
        return self._facts

    def report(self, signature: str, now: datetime) -> Remembered | None:
        found = self.reports.entries.get(signature)
        if found is None or (found.valid_until is not None and now >= found.valid_until):
            return None
        return found

    def remember(self, signature: str, report: Remembered) -> None:
        entries = self.reports.entries
        entries.pop(signature, None)
        entries[signature] = report
        while len(entries) > KEPT_REPORTS:
            del entries[next(iter(entries))]

    def site_map(self, folder: Path, identity: Identity | None) -> SiteMap | None:
        if identity is None:
            return None
        found = self.facts.site_maps.get(str(folder))
        return found[1] if found is not None and found[0] == identity else None

    def keep_site_map(self, folder: Path, identity: Identity | None, site: SiteMap) -> None:
        if identity is None:
            self.facts.site_maps.pop(str(folder), None)
        else:
            self.facts.site_maps[str(folder)] = (identity, site)

    def save(self) -> None:
        """Write what was used; facts of files that no folder still there holds are let go."""
        try:
            if self._facts is not None:
                facts = self._facts
                facts.states = {k: v for k, v in facts.states.items() if os.path.isdir(k)}
                facts.links = {k: v for k, v in facts.links.items() if k in facts.states}
                wanted = {(rel, found[1]) for kept in facts.states.values() for rel, found in kept.items()}
                facts.facts = {key: value for key, value in facts.facts.items() if key[:2] in wanted}
                digests = {digest for _, digest in wanted}
                facts.quoted = {key: value for key, value in facts.quoted.items() if key[0] in digests}
                write_checked(self.folder / FACTS_FILE, facts)
            if self._reports is not None:
                write_checked(self.folder / REPORTS_FILE, self._reports)
        except OSError as exc:  # a read-only site is still checked; only slower next time
            log.warning("could not save the check's memory: %s", exc)
