"""The bytes of the generated pages and feeds, kept in `.fireside-cache/rendered/`.

An output whose key is the one the last build recorded is not rendered again (outputs.py).
When the output folder still holds it, it is kept there; when it does not (a fresh clone
with its `.fireside-cache/` restored, as a CI job has it, or a deleted `public/`), its bytes
come from here instead of from the templates. They are found by their sha256 digest, which
is checked again on every read: a damaged, truncated or missing file only means "render it".

Creating files is what is slow on some file systems, so the store is a few pack files, not a
file per page: each build appends what it rendered to one new pack (its bytes as they are:
compressing costs more than the writing saves, see docs/performance.md), and the index of
what lies where is kept in the build cache's head (BuildCache.rendered), saved after the
packs. A pack is never changed once written; packs where most bytes are no longer any
output's, and small packs beyond MAX_PACKS, are copied into a new one (what is still an
output only) and deleted, so the store stays near the size of the site's generated files.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from generator.build.output.cache import StoredPage, digest_bytes

log = logging.getLogger(__name__)

STORE_FOLDER = "rendered"  # in the site's .fireside-cache/
_PREFIX, _SUFFIX = "pack-", ".pack"
_MAGIC = b"FIRESIDE-RENDERED-1\n"  # the start of every pack (a file of ours, in our format)
# A pack the index does not name is another build's while it is this young (two builds of
# one site at once); older ones were left by a build that was killed.
STALE_PACK_SECONDS = 3600
# More packs than this and all but the largest are copied into one: a store read by
# thousands of small reads should not need a file handle for each past build.
MAX_PACKS = 8
_WRITE_BUFFER = 1 << 18

Index = dict[str, StoredPage]  # sha256 (hex) of an output's bytes → where they lie


class PageStore:
    """One build's view of the store: reads pages an earlier build kept, adds new ones.

    `index` is what the cache's head says the packs hold; `reuse=False` (--ignore-cache)
    reads nothing from it, but still knows its packs, to remove them once they are unused.
    Any failure to read or write only makes the store hold less: builds never fail for it.
    """

    def __init__(self, folder: Path, index: Mapping[str, StoredPage], *, reuse: bool = True) -> None:
        self.folder = folder
        self.index: Index = dict(index) if reuse else {}
        self.known = {where.pack for where in index.values()}  # packs an earlier build made
        self.live: dict[str, str] = {}  # output path → digest: this build's generated files
        self.added: Index = {}
        self.made: set[str] = set()  # packs this build wrote
        self.taken = 0  # pages read from the store
        self._readers: dict[str, int] = {}  # pack → open file descriptor
        self._pack: BinaryIO | None = None
        self._pack_name = ""
        self._offset = 0
        self._broken = False  # a write failed: add nothing more this build
        self._damaged: set[str] = set()  # packs a read found damaged (said once each)

    def note(self, rel: str, digest: str) -> None:
        """`rel` is a generated output of this build, with those bytes."""
        self.live[rel] = digest

    def get(self, digest: str) -> bytes | None:
        """The bytes with `digest`, or None if the store does not hold them intact."""
        where = self.index.get(digest)
        if where is None:
            return None
        data = self._read(where)
        if data is None or digest_bytes(data) != digest:
            if where.pack not in self._damaged:  # once per pack, not once per page
                self._damaged.add(where.pack)
                message = "ignoring pages missing or damaged in the build cache at %s: rendering them again"
                log.warning(message, self.folder / where.pack)
            del self.index[digest]
            return None
        self.taken += 1
        return data

    def put(self, digest: str, data: bytes) -> None:
        """Keep `data` (whose sha256 is `digest`) for later builds."""
        if self._broken or digest in self.index or digest in self.added:
            return
        try:
            pack = self._pack if self._pack is not None else self._open_pack()
            pack.write(data)
        except OSError as exc:
            self._give_up(exc)
            return
        self.added[digest] = StoredPage(self._pack_name, self._offset, len(data))
        self._offset += len(data)

    def finish(self, output_root: Path) -> Index:
        """The index of the store once this build is written: what its outputs need, nothing
        else. Outputs the store lacks are taken from `output_root` (where the build just
        wrote them), so a store that lost a pack fills up again without rendering."""
        needed = set(self.live.values())
        self.index = self._without_missing({d: w for d, w in self.index.items() if d in needed})
        self._heal(output_root)
        self._close_pack()
        index = {**self.index, **{d: w for d, w in self.added.items() if d in needed}}
        index = self._compacted(index)
        self._close_readers()
        return index

    def prune(self, index: Mapping[str, StoredPage]) -> None:
        """Remove the packs `index` (now saved in the cache's head) no longer names."""
        self._close_readers()
        named = {where.pack for where in index.values()}
        stale = time.time() - STALE_PACK_SECONDS
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in entries:
            if not _is_pack_name(entry.name) or entry.name in named:
                continue
            try:
                ours = entry.name in self.known or entry.name in self.made
                if ours or entry.stat(follow_symlinks=False).st_mtime < stale:
                    os.unlink(entry.path)
            except OSError as exc:
                log.debug("could not remove %s: %s", entry.path, exc)

    def discard(self) -> None:
        """The build failed or its cache was not saved: drop the packs it wrote."""
        self._close_pack()
        self._close_readers()
        for name in self.made:
            with contextlib.suppress(OSError):
                os.unlink(self.folder / name)
        self.made.clear()

    # -- reading ------------------------------------------------------------------------

    def _read(self, where: StoredPage) -> bytes | None:
        if not _is_pack_name(where.pack):
            return None  # not a name this module gives: never read outside the folder
        try:
            fd = self._readers.get(where.pack)
            if fd is None:
                fd = self._readers[where.pack] = os.open(self.folder / where.pack, os.O_RDONLY)
            data = os.pread(fd, where.length, where.offset)
        except OSError:
            return None
        return data if len(data) == where.length else None

    def _close_readers(self) -> None:
        for fd in self._readers.values():
            os.close(fd)
        self._readers.clear()

    def _without_missing(self, index: Index) -> Index:
        """`index` without what lies past the end of its pack, or in a pack gone."""
        sizes: dict[str, int] = {}
        for pack in {where.pack for where in index.values()}:
            try:
                sizes[pack] = os.stat(self.folder / pack).st_size if _is_pack_name(pack) else -1
            except OSError:
                sizes[pack] = -1
        return {d: w for d, w in index.items() if w.offset + w.length <= sizes[w.pack]}

    # -- writing ------------------------------------------------------------------------

    def _open_pack(self) -> BinaryIO:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, path = tempfile.mkstemp(prefix=_PREFIX, suffix=_SUFFIX, dir=self.folder)
        self._pack_name = os.path.basename(path)
        self.made.add(self._pack_name)
        self._pack = os.fdopen(fd, "wb", buffering=_WRITE_BUFFER)
        self._pack.write(_MAGIC)
        self._offset = len(_MAGIC)
        return self._pack

    def _close_pack(self) -> None:
        if self._pack is None:
            return
        pack, self._pack = self._pack, None
        try:
            pack.close()
        except OSError as exc:
            self._give_up(exc)

    def _give_up(self, exc: OSError) -> None:
        log.info("cannot keep rendered pages in the build cache (%s): the next build renders them", exc)
        self._broken = True
        if self._pack is not None:
            with contextlib.suppress(OSError):
                self._pack.close()
            self._pack = None
        self.added = {d: w for d, w in self.added.items() if w.pack != self._pack_name}

    def _heal(self, output_root: Path) -> None:
        missing = {d: rel for rel, d in self.live.items() if d not in self.index and d not in self.added}
        for digest, rel in sorted(missing.items(), key=lambda item: item[1]):
            if self._broken:
                return
            try:
                data = (output_root / rel).read_bytes()
            except OSError:
                continue
            if digest_bytes(data) == digest:
                self.put(digest, data)

    def _compacted(self, index: Index) -> Index:
        """`index`, with the live pages of sparse or surplus packs copied into one new pack."""
        sizes: dict[str, int] = {}
        used: dict[str, int] = {}
        for where in index.values():
            used[where.pack] = used.get(where.pack, len(_MAGIC)) + where.length
        for pack in used:
            try:
                sizes[pack] = os.stat(self.folder / pack).st_size
            except OSError:  # gone since _without_missing looked: its pages are rendered next time
                return {d: w for d, w in index.items() if w.pack != pack}
        moving = {pack for pack in used if used[pack] * 2 < sizes[pack]}
        rest = sorted((pack for pack in used if pack not in moving), key=lambda p: sizes[p])
        if len(rest) > MAX_PACKS:
            moving.update(rest[:-1])
        return self._copied(index, moving) if moving else index

    def _copied(self, index: Index, moving: Iterable[str]) -> Index:
        packs = set(moving)
        pages = sorted((w.pack, w.offset, d) for d, w in index.items() if w.pack in packs)
        moved: Index = {}
        try:
            pack = self._open_pack()
            for _, _, digest in pages:
                data = self._read(index[digest])
                if data is None:
                    continue
                pack.write(data)
                moved[digest] = StoredPage(self._pack_name, self._offset, len(data))
                self._offset += len(data)
            self._pack = None
            pack.close()
        except OSError as exc:
            self._give_up(exc)
            return index
        log.debug("copied %d pages of %d packs into %s", len(moved), len(packs), self._pack_name)
        kept = {d: w for d, w in index.items() if w.pack not in packs}
        return {**kept, **moved}


def _is_pack_name(name: str) -> bool:
    return name.startswith(_PREFIX) and name.endswith(_SUFFIX) and "/" not in name and "\\" not in name
