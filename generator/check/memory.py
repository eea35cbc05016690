"""What `fireside check` remembers between runs, so that checking what has not changed
costs next to nothing, and checking after an edit costs about what the edit changed
(kept in `.fireside-cache/check/`).

The reports file holds the last reports, each under a signature of everything it was
made from: the options, the state (size, time, inode) of every file of the folder
checked, the build's stamp (which stands for every source, template and setting) or, for
a folder built elsewhere, the state of the sources. A check whose signature is one of
them gives that report without reading any file; when only the inbox changed since, it
looks for copies of its letters in the folder, by size first (Remembered).

The facts file holds the rest, and, spread over file shelves by path (shelf.py), for
each folder checked: every file's state, the digest of its bytes when that state was
seen and a summary of what it says (what the checks across files need: a page's title,
description, canonical URL...), and each file's broken links as the last check found
them. The facts of each file (its links, ids, feed entries) are kept apart, by digest,
on other shelves, and fetched only for the files whose links are followed again. Every
record says what it was made from (a state, a digest, a file list's signature), so that
none is trusted on the word of another file: a save cut short leaves some files of the
last check beside those of this one. A check whose signature is new reads only the files whose bytes it
has not seen, follows the links of those and of the files whose links could be broken
or mended by the change (folderlinks.py), and runs the checks across files on the summaries.

Everything is keyed by what it depends on, and every file carries the version of the
check's own code: a memory that does not match is simply not used.
"""

from __future__ import annotations

import dataclasses
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
from generator.check.facts import FileSummary
from generator.check.leaks import Unpublished
from generator.check.shelf import FactShelves, FileShelves, Tables
from generator.check.trace import Finding, finding_order

log = logging.getLogger(__name__)

MEMORY_DIR = "check"  # in .fireside-cache/
REPORTS_FILE = "reports.pickle"
FACTS_FILE = "facts.pickle"
CHECK_FORMAT = 2
_OLD_SITE_MAPS = "sitemap-*.pickle"
KEPT_REPORTS = 8  # signatures remembered (options and folders a site is checked with)

# (size, mtime_ns, inode) of a file.
FileState = tuple[int, int, int]
# What a check knows of a file it read: its state then, the digest of its bytes, its summary.
Known = tuple[FileState, str, FileSummary]


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
    """A report as `check_folder` made it (before --strict, build warnings and git).

    The copies of inbox letters in the output are kept apart, with the state of the
    inbox they were looked for in: when letters arrive and nothing else changed, only they
    are looked for again (the report's signature leaves the inbox out).
    """

    findings: tuple[Finding, ...]  # in the order the tracer gives, copies of letters aside
    pages: int
    files: int
    valid_until: datetime | None  # the next future post's date: drafts and dates change then
    strangers: tuple[Finding, ...] = ()  # files the build did not make, shown first
    inbox: str = ""  # the state of the inbox when its letters were looked for
    letter_copies: tuple[Finding, ...] = ()

    def shown(self) -> tuple[Finding, ...]:
        if not self.letter_copies:
            return (*self.strangers, *self.findings)
        return (*self.strangers, *sorted((*self.findings, *self.letter_copies), key=finding_order))


@dataclass
class Reports:
    version: str = field(default_factory=memory_version)
    entries: dict[str, Remembered] = field(default_factory=dict)  # signature → report, oldest first
    # site root → (state of git's index, the inbox files it tracks)
    tracked: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


@dataclass
class Facts:
    version: str = field(default_factory=memory_version)
    # folder → (the base URL the summaries were read with, output-relative path → what is
    # known of each file read there)
    states: dict[str, tuple[str, dict[str, Known]]] = field(default_factory=dict)
    # folder → file → (its state, whether it held a private key then)
    keys: dict[str, dict[str, tuple[FileState, bool]]] = field(default_factory=dict)
    # (digest, title) → whether the page shows the title (an unpublished post's)
    quoted: dict[tuple[str, str], bool] = field(default_factory=dict)
    # folder → (signature of its file list, file → (digest, broken links, pages anchored into))
    links: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    # site root → (signature of the sources, drafts and future posts, the next one's date)
    unpublished: dict[str, tuple[str, tuple[Unpublished, ...], datetime | None]] = field(default_factory=dict)


class CheckMemory:
    """The check's memory of one site: reports first, facts only when they are needed."""

    def __init__(self, cache_dir: Path) -> None:
        self.folder = cache_dir / MEMORY_DIR
        self._reports: Reports | None = None
        self._facts: Facts | None = None
        self.shelves = FactShelves(self.folder, memory_version())
        self._files = FileShelves(self.folder, memory_version())
        self._wanted: set[tuple[str, str]] = set()  # the facts wanted when the memory was read

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
            if valid:
                _fill(self._facts, self._files.load(_tags(self._facts)))
            self._wanted = _wanted(self._facts)
        return self._facts

    def digests(self, folder: Path) -> dict[str, str]:
        """Each file of `folder` whose bytes a check read → the digest of those bytes."""
        kept = self.facts.states.get(str(folder))
        return {rel: known[1] for rel, known in kept[1].items()} if kept is not None else {}

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

    def save(self) -> None:
        """Write what changed; facts of files that no folder still there holds are let go."""
        try:
            if self._facts is not None:
                facts = self._facts
                facts.states = {k: v for k, v in facts.states.items() if os.path.isdir(k)}
                facts.links = {k: v for k, v in facts.links.items() if k in facts.states}
                facts.keys = {k: v for k, v in facts.keys.items() if k in facts.states}
                wanted = _wanted(facts)
                self.shelves.let_go({digest for _, digest in self._wanted - wanted})
                self.shelves.save(wanted)
                self._wanted = wanted
                digests = {digest for _, digest in wanted}
                facts.quoted = {key: value for key, value in facts.quoted.items() if key[0] in digests}
                # The per-file tables first: a facts file names what their records were made under.
                self._files.save(_tables(facts))
                head = dataclasses.replace(
                    facts,
                    states={folder: (base, {}) for folder, (base, _) in facts.states.items()},
                    links={folder: (files, {}) for folder, (files, _) in facts.links.items()},
                    keys={folder: {} for folder in facts.keys},
                )
                write_checked(self.folder / FACTS_FILE, head)
            if self._reports is not None:
                write_checked(self.folder / REPORTS_FILE, self._reports)
            # The site maps checks before December 2026 kept, one per folder: no longer read.
            for old in self.folder.glob(_OLD_SITE_MAPS):
                old.unlink(missing_ok=True)
        except OSError as exc:  # a read-only site is still checked; only slower next time
            log.warning("could not save the check's memory: %s", exc)


def _wanted(facts: Facts) -> set[tuple[str, str]]:
    """(path, digest) of every file some folder's memory holds."""
    return {(rel, known[1]) for _, kept in facts.states.values() for rel, known in kept.items()}


def _tags(facts: Facts) -> dict[str, dict[str, str]]:
    """What each folder's per-file records were made under, as the facts file names it."""
    return {
        "states": {folder: base for folder, (base, _) in facts.states.items()},
        "links": {folder: files for folder, (files, _) in facts.links.items()},
        "keys": {folder: "" for folder in facts.keys},
    }


def _tables(facts: Facts) -> Tables:
    return {
        "states": dict(facts.states),
        "links": dict(facts.links),
        "keys": {folder: ("", found) for folder, found in facts.keys.items()},
    }


def _fill(facts: Facts, tables: Tables) -> None:
    """Put the records read from the file shelves into the facts read from the facts file."""
    facts.states = tables["states"]
    facts.links = tables["links"]
    facts.keys = {folder: found for folder, (_, found) in tables["keys"].items()}
