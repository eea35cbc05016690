"""What a check remembers of each file, kept in many small files (in
`.fireside-cache/check/`), so that a check after an edit reads and writes little more
than what the edit changed.

The facts of every file read (every link of every page) are most of it: 12 MB at 4,000
posts, as long to load and to write as all the rest of a check after an edit. Spread
over `SHELVES` files by the digest of the file's bytes, a check loads only the shelves
holding the files whose links it follows again, and writes only those it added to or
that hold facts no longer wanted: after a one-post edit, two or three of them.

The records kept of every file of a folder (its state, digest and summary; its broken
links; whether it holds a key) are needed whole by every check, but change little from
one to the next: spread over `FILE_SHELVES` files by path, all are read and only those
holding a changed record are written.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Mapping, Set
from pathlib import Path
from typing import Any

from generator.build.output.cache import read_checked, write_checked
from generator.check.facts import FileFacts

log = logging.getLogger(__name__)

SHELVES = 256  # the first two hex digits of a digest: after an edit, each written shelf is small
SHELF_NAME = "facts-{:03d}.pickle"

# (output-relative path, digest of its bytes, base URL): all a file's facts depend on.
FactKey = tuple[str, str, str]


def shelf_of(digest: str) -> int:
    """The shelf of a digest (a hex SHA-256: its first byte is evenly spread)."""
    try:
        return int(digest[:2], 16) % SHELVES
    except ValueError:
        return 0


class FactShelves:
    """Facts by (path, digest, base URL); a shelf is read when first asked for."""

    def __init__(self, folder: Path, version: str) -> None:
        self.folder = folder
        self.version = version
        self._loaded: dict[int, dict[FactKey, FileFacts]] = {}
        self._dirty: set[int] = set()

    def _shelf(self, number: int) -> dict[FactKey, FileFacts]:
        found = self._loaded.get(number)
        if found is None:
            stored = read_checked(self.folder / SHELF_NAME.format(number))
            # A shelf of another version of the check's code is not used.
            valid = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == self.version
            found = self._loaded[number] = stored[1] if valid else {}
        return found

    def get(self, key: FactKey) -> FileFacts | None:
        return self._shelf(shelf_of(key[1])).get(key)

    def put(self, key: FactKey, facts: FileFacts) -> None:
        number = shelf_of(key[1])
        self._shelf(number)[key] = facts
        self._dirty.add(number)

    def let_go(self, digests: Set[str]) -> None:
        """Mark the shelves of facts no longer wanted, to write them again without them."""
        self._dirty.update(shelf_of(digest) for digest in digests)

    def save(self, wanted: Set[tuple[str, str]]) -> None:
        """Write the shelves that changed, keeping only the facts of (path, digest) `wanted`."""
        for number in sorted(self._dirty):
            shelf = self._shelf(number)
            kept = {key: value for key, value in shelf.items() if key[:2] in wanted}
            write_checked(self.folder / SHELF_NAME.format(number), (self.version, kept))
            self._loaded[number] = kept
        self._dirty.clear()


FILE_SHELVES = 16
FILE_SHELF_NAME = "files-{:02d}.pickle"

# What a check keeps of each file of each folder, table by table: table → folder → (what
# the records were made under: a base URL, a file list's signature; the records by path).
Tables = dict[str, dict[str, tuple[str, dict[str, Any]]]]


def file_shelf_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogatepass")) % FILE_SHELVES


class FileShelves:
    """The per-file tables spread by path over FILE_SHELVES files: all are read (the checks
    across files need every file's summary), and only those holding a record that changed
    are written, which after an edit is a few of them.

    Each shelf carries, with its records, what they were made under: records made under
    another than the facts file names (a shelf left from an earlier check) are not used.
    """

    def __init__(self, folder: Path, version: str) -> None:
        self.folder = folder
        self.version = version
        self._held: list[Tables] = [{} for _ in range(FILE_SHELVES)]

    def load(self, made_under: Mapping[str, Mapping[str, str]]) -> Tables:
        """The tables, with only the records made under `made_under` (table → folder → tag)."""
        tables: Tables = {
            table: {folder: (tag, {}) for folder, tag in tags.items()} for table, tags in made_under.items()
        }
        for number in range(FILE_SHELVES):
            stored = read_checked(self.folder / FILE_SHELF_NAME.format(number))
            valid = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == self.version
            held: Tables = stored[1] if valid else {}
            self._held[number] = held
            for table, folders in held.items():
                for folder, (tag, records) in folders.items():
                    into = tables.get(table, {}).get(folder)
                    if into is not None and into[0] == tag:
                        into[1].update(records)
        return tables

    def save(self, tables: Tables) -> None:
        """Write the shelves whose records are not those they held (by identity: a record
        kept from the last check is the very object read)."""
        parts: list[Tables] = [{} for _ in range(FILE_SHELVES)]
        numbers: dict[str, int] = {}  # the tables mostly hold the same paths
        for table, folders in tables.items():
            for folder, (tag, records) in folders.items():
                split: list[dict[str, Any]] = [{} for _ in range(FILE_SHELVES)]
                for rel, record in records.items():
                    number = numbers.get(rel)
                    if number is None:
                        number = numbers[rel] = file_shelf_of(rel)
                    split[number][rel] = record
                for number, part in enumerate(split):
                    parts[number].setdefault(table, {})[folder] = (tag, part)
        for number, part in enumerate(parts):
            if not _same(part, self._held[number]):
                write_checked(self.folder / FILE_SHELF_NAME.format(number), (self.version, part))
                self._held[number] = part


def _same(new: Tables, held: Tables) -> bool:
    if new.keys() != held.keys():
        return False
    for table, folders in new.items():
        before = held[table]
        if folders.keys() != before.keys():
            return False
        for folder, (tag, records) in folders.items():
            held_tag, held_records = before[folder]
            if tag != held_tag or records.keys() != held_records.keys():
                return False
            if any(record is not held_records[rel] for rel, record in records.items()):
                return False
    return True
