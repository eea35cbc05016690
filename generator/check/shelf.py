"""The facts of every file a check has read, kept in many small files by the digest of
the file's bytes (in `.fireside-cache/check/`).

A site's facts (every link of every page) are most of what a check remembers: 12 MB at
4,000 posts, as long to load and to write as the rest of a check after an edit. Spread
over `SHELVES` files by digest, a check loads only the shelves holding the files whose
links it follows again, and writes only those it added to or that hold facts no longer
wanted: after a one-post edit, two or three of them.
"""

from __future__ import annotations

import logging
from collections.abc import Set
from pathlib import Path

from generator.build.output.cache import read_checked, write_checked
from generator.check.facts import FileFacts

log = logging.getLogger(__name__)

SHELVES = 64
SHELF_NAME = "facts-{:02d}.pickle"

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
