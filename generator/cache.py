"""What one build leaves for the next, so an unchanged site costs almost nothing (layer 3).

`fireside build` keeps it in `.fireside-cache/` (git-ignored); `fireside serve` keeps one
in memory for its lifetime. Every entry is keyed by everything its value depends on, so a
missing or mismatched entry only means "do the work", never "use something stale". The
file carries a checksum: a truncated or corrupted cache is detected and ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import pickle
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import __version__

log = logging.getLogger(__name__)

CACHE_FILE = "build-cache.pickle"
# Raised whenever what the cache holds changes meaning (fields of cached dataclasses, how
# keys are made): a cache of another format is ignored, never half-trusted.
CACHE_FORMAT = 3
_VERSION = f"{__version__}+cache{CACHE_FORMAT}"
_MAGIC = b"FIRESIDE-CACHE\n"


@dataclass(frozen=True)
class OutputRecord:
    """A file as the last build left it in the output folder."""

    digest: str  # sha256 of its bytes
    size: int
    mtime_ns: int


@dataclass
class BuildCache:
    """Results kept between builds. Only pure results, keyed by all they depend on."""

    version: str = _VERSION
    # source file stat key → (SourceFile, DocumentMeta)
    sources: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    # body key → BodyRender, with the link environment digest it was rendered in
    bodies: dict[str, tuple[str, Any]] = field(default_factory=dict)
    # document key → (Document, Fingerprints)
    documents: dict[tuple[Any, ...], tuple[Any, Any]] = field(default_factory=dict)
    # output path → (output key, digest of the bytes that key produced)
    outputs: dict[str, tuple[Any, str]] = field(default_factory=dict)
    # resolved output folder → output path → record of what was written there
    ledgers: dict[str, dict[str, OutputRecord]] = field(default_factory=dict)
    # global key → the body fields (content, toc, ...) the lists of posts were seen to read
    list_reads: dict[str, frozenset[str]] = field(default_factory=dict)
    # global key → compiled templates; kept in memory only (never pickled)
    templates: dict[str, Any] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["templates"] = {}
        return state

    def keys(self) -> tuple[Any, ...]:
        """What the cache holds, to tell whether a build added or dropped anything."""
        return (
            frozenset(self.sources),
            frozenset(self.bodies),
            frozenset(self.documents),
            dict(self.outputs),
            dict(self.list_reads),
        )

    @classmethod
    def load(cls, path: Path) -> BuildCache:
        """The cache saved at `path`, or an empty one if it is missing, old or damaged."""
        try:
            raw = path.read_bytes()
        except OSError:
            return cls()
        if not raw.startswith(_MAGIC) or len(raw) < len(_MAGIC) + 64:
            log.warning("ignoring a damaged build cache at %s", path)
            return cls()
        checksum = raw[len(_MAGIC) : len(_MAGIC) + 64].decode("ascii", "replace")
        payload = raw[len(_MAGIC) + 64 :]
        if hashlib.sha256(payload).hexdigest() != checksum:
            log.warning("ignoring a damaged build cache at %s (checksum mismatch)", path)
            return cls()
        try:
            # Our own file, written by the same user: pickle is acceptable here.
            cache = pickle.loads(payload)
        except Exception:  # any unpickling failure means: start afresh
            log.warning("ignoring an unreadable build cache at %s", path)
            return cls()
        # A cache written by another version, or before a field was added, starts afresh.
        if not isinstance(cache, cls) or cache.version != _VERSION:
            return cls()
        if any(not hasattr(cache, f.name) for f in dataclasses.fields(cls)):
            return cls()
        return cache

    def save(self, path: Path) -> None:
        """Write atomically: a build killed while saving leaves the old cache or none."""
        payload = pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
        data = _MAGIC + hashlib.sha256(payload).hexdigest().encode("ascii") + payload
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".cache-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_text(*parts: object) -> str:
    """A stable digest of small values (reprs of strings, numbers, tuples, dataclasses)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def ledger_confirms(ledger: Mapping[str, OutputRecord], root: Path, rel: str, digest: str) -> bool:
    """True if the output file `rel` still holds exactly the bytes with `digest`."""
    record = ledger.get(rel)
    if record is None or record.digest != digest:
        return False
    try:
        found = (root / rel).lstat()
    except OSError:
        return False
    return stat.S_ISREG(found.st_mode) and (found.st_size, found.st_mtime_ns) == (
        record.size,
        record.mtime_ns,
    )
