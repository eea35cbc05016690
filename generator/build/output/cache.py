"""What one build leaves for the next, so an unchanged site costs almost nothing.

`fireside build` keeps it in `.fireside-cache/` (git-ignored); `fireside serve` keeps one
in memory for its lifetime. Every entry is keyed by everything its value depends on, so a
missing or mismatched entry only means "do the work", never "use something stale". Each
file carries a checksum: a truncated or corrupted cache is detected and ignored.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import os
import pickle
import stat
import tempfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from generator import __version__

log = logging.getLogger(__name__)

CACHE_FILE = "build-cache.pickle"
# Raised whenever what the cache holds changes meaning (fields of cached dataclasses, how
# keys are made): a cache of another format is ignored, never half-trusted.
CACHE_FORMAT = 11


@functools.cache
def cache_version() -> str:
    """Fireside's version and code, the cache format and the versions of the libraries
    whose output the cache keeps: an upgrade of one may change a rendered body or page.
    (MarkupSafe, which only escapes, is left out: its version is no longer an attribute to
    read.)"""
    import jinja2
    import markdown_it
    import mdit_py_plugins
    import pygments

    libraries = (jinja2, markdown_it, mdit_py_plugins, pygments)
    versions = [f"{library.__name__}{library.__version__}" for library in libraries]
    return "+".join([__version__, f"code{code_digest()}", f"cache{CACHE_FORMAT}", *versions])


def code_digest() -> str:
    """A digest of Fireside's own code. Its version alone does not tell two installs from a
    git checkout apart, and a cache restored in CI may come from either: the pages kept in
    it must have been made by this very code. (About 4 ms per build, with os.walk and
    open: pathlib's glob and read_bytes took twice that.)"""
    package = str(Path(__file__).resolve().parents[2])
    modules = []
    for folder, folders, names in os.walk(package):
        folders[:] = [name for name in folders if name != "__pycache__"]
        modules.extend(os.path.join(folder, name) for name in names if name.endswith(".py"))
    digest = hashlib.sha256()
    for path in sorted(modules):
        digest.update(path[len(package) :].encode("utf-8", "surrogatepass"))  # its name in the package
        with open(path, "rb") as module:
            digest.update(module.read())
    return digest.hexdigest()[:16]


_MAGIC_PREFIX = b"FIRESIDE-CACHE"  # every format's files start so
_MAGIC = _MAGIC_PREFIX + f"-{CACHE_FORMAT}\n".encode("ascii")
_SUM_SIZE = 8  # hex digits of the CRC-32 after the magic line
# Files the sources, documents, bodies and outputs are spread over (see BuildCache.save).
SHARDS = 64


class StoredPage(NamedTuple):
    """Where the bytes of a generated output lie in the page store (pagestore.py)."""

    pack: str  # the pack file's name in the store's folder
    offset: int
    length: int


class OutputRecord(NamedTuple):
    """A file as the last build left it in the output folder (a named tuple: thousands are
    kept, pickled and loaded per build)."""

    digest: str  # sha256 of its bytes
    size: int
    mtime_ns: int
    inode: int = 0  # 0: not known (a record made without looking at the file)


@dataclass
class BuildCache:
    """Results kept between builds. Only pure results, keyed by all they depend on."""

    version: str = field(default_factory=cache_version)
    # source file stat key → (SourceFile, DocumentMeta)
    sources: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    # body key → BodyRender, with the link environment digest it was rendered in
    bodies: dict[str, tuple[str, Any]] = field(default_factory=dict)
    # document key → (Document, Fingerprints)
    documents: dict[tuple[Any, ...], tuple[Any, Any]] = field(default_factory=dict)
    # output path → (output key, digest of the bytes that key produced)
    outputs: dict[str, tuple[Any, str]] = field(default_factory=dict)
    # sha256 of a generated output's bytes → where the page store keeps them (pagestore.py)
    rendered: dict[str, StoredPage] = field(default_factory=dict)
    # resolved output folder → output path → record of what was written there
    ledgers: dict[str, dict[str, OutputRecord]] = field(default_factory=dict)
    # global key → the body fields (content, toc, ...) the lists of posts were seen to read
    list_reads: dict[str, frozenset[str]] = field(default_factory=dict)
    # (light style, dark style) → the code highlighting stylesheet (Pygments is not loaded
    # by a rebuild that highlights no new code)
    stylesheets: dict[tuple[str, str], bytes] = field(default_factory=dict)
    # global key → compiled templates; kept in memory only (never pickled)
    templates: dict[str, Any] = field(default_factory=dict)

    # shard number → the entries read from its file, to tell which shards a save must
    # write again; kept in memory only
    loaded: dict[int, dict[tuple[str, Any], Any]] = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """The head file's part: the sharded tables go to the shard files (see save)."""
        state = dict(self.__dict__)
        state.update(templates={}, loaded={}, **{table: {} for table in _SHARDED})
        return state

    def keys(self) -> tuple[Any, ...]:
        """What the cache holds, to tell whether a build added or dropped anything."""
        return (
            frozenset(self.sources),
            frozenset(self.bodies),
            frozenset(self.documents),
            dict(self.outputs),
            dict(self.rendered),
            dict(self.list_reads),
            dict(self.stylesheets),
        )

    @classmethod
    def load(cls, path: Path) -> BuildCache:
        """The cache saved at `path`, or an empty one if it is missing, old or damaged.

        A shard file that is missing or damaged only leaves its documents out.
        """
        cache = read_checked(path)
        # A cache written by another version, or before a field was added, starts afresh.
        if not isinstance(cache, cls) or cache.version != cache_version():
            return cls()
        if any(not hasattr(cache, f.name) for f in dataclasses.fields(cls)):
            return cls()
        folder = _shard_folder(path)
        for number in range(SHARDS):
            shard = read_checked(folder / f"{number:02d}.pickle")
            if not (isinstance(shard, tuple) and len(shard) == 2 and shard[0] == cache_version()):
                continue
            entries: dict[tuple[str, Any], Any] = shard[1]
            tables = {table: getattr(cache, table) for table in _SHARDED}
            for (table, key), value in entries.items():
                tables[table][key] = value
            cache.loaded[number] = entries
        return cache

    def save(self, path: Path) -> None:
        """Write the shards whose entries changed, then the head; each file atomically.

        Sources, documents with their rendered bodies, and outputs are spread over SHARDS
        files by file path, so an edit to one post rewrites the few shards holding what
        changed, not the whole cache. A build killed while saving leaves a mix of old and
        new files: every entry is keyed by all it depends on, so the mix is never stale,
        only incomplete.
        """
        folder = _shard_folder(path)
        for number, entries in self._shards().items():
            if _unchanged(self.loaded.get(number), entries):
                continue  # the very objects read from its file: the file already holds them
            write_checked(folder / f"{number:02d}.pickle", (cache_version(), entries))
            self.loaded[number] = entries
        write_checked(path, self)

    def _shards(self) -> dict[int, dict[tuple[str, Any], Any]]:
        """Every sharded entry by shard, keyed (table, key). What belongs to one source file
        shares its shard: its reading, its document and body (which share their HTML)."""
        shards: dict[int, dict[tuple[str, Any], Any]] = {number: {} for number in range(SHARDS)}
        for key, value in self.sources.items():
            shards[_shard_number(str(value[0].rel))][("sources", key)] = value
        placed: set[str] = set()
        for doc_key, value in self.documents.items():
            shard = shards[_shard_number(str(value[0].source))]
            shard[("documents", doc_key)] = value
            body_key = doc_key[0]  # a document's key starts with its body's (compose.py)
            if body_key in self.bodies and body_key not in placed:
                shard[("bodies", body_key)] = self.bodies[body_key]
                placed.add(body_key)
        for body_key, value in self.bodies.items():
            if body_key not in placed:
                shards[_shard_number(body_key)][("bodies", body_key)] = value
        for rel, value in self.outputs.items():
            shards[_shard_number(rel)][("outputs", rel)] = value
        return shards


# The tables of BuildCache kept in shard files rather than in the head file.
_SHARDED = ("sources", "documents", "bodies", "outputs")


def _unchanged(before: dict[tuple[str, Any], Any] | None, entries: dict[tuple[str, Any], Any]) -> bool:
    if before is None or before.keys() != entries.keys():
        return False
    return all(before[key] is value for key, value in entries.items())


def _shard_folder(path: Path) -> Path:
    return path.with_name(path.stem + "-shards")


def _shard_number(name: str) -> int:
    return zlib.crc32(name.encode("utf-8", "surrogatepass")) % SHARDS


def read_checked(path: Path) -> Any:
    """The object pickled in `path` by write_checked, or None if missing or damaged."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + _SUM_SIZE
    if not raw.startswith(_MAGIC_PREFIX):
        log.warning("ignoring a damaged build cache file at %s", path)
        return None
    if not raw.startswith(_MAGIC):
        log.info("ignoring a build cache of another format at %s", path)
        return None
    if len(raw) < head:
        log.warning("ignoring a damaged build cache file at %s", path)
        return None
    payload = memoryview(raw)[head:]  # a view: no second copy of a large file
    if f"{zlib.crc32(payload):08x}".encode("ascii") != raw[len(_MAGIC) : head]:
        log.warning("ignoring a damaged build cache file at %s (checksum mismatch)", path)
        return None
    try:
        # Our own file, written by the same user: pickle is acceptable here.
        return pickle.loads(payload)
    except Exception:  # any unpickling failure means: start afresh
        log.warning("ignoring an unreadable build cache file at %s", path)
        return None


def write_checked(path: Path, value: object) -> None:
    """Pickle `value` to `path` with a checksum, atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".cache-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            # Pickled straight into the file, summed on the way: a large cache is never
            # held in memory a second time as one block of bytes.
            handle.write(_MAGIC + b"0" * _SUM_SIZE)
            summing = _SummingWriter(handle)
            pickle.dump(value, summing, protocol=pickle.HIGHEST_PROTOCOL)
            handle.seek(len(_MAGIC))
            handle.write(f"{summing.crc:08x}".encode("ascii"))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class _SummingWriter:
    """A file's `write`, also summing what is written (CRC-32: it detects damage, fast)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.crc = 0

    def write(self, data: bytes) -> int:
        self.crc = zlib.crc32(data, self.crc)
        return self.handle.write(data)


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_text(*parts: object) -> str:
    """A stable digest of small values (reprs of strings, numbers, tuples, dataclasses)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def ledger_confirms(ledger: Mapping[str, OutputRecord], root: Path | str, rel: str, digest: str) -> bool:
    """True if the output file `rel` still holds exactly the bytes with `digest`."""
    record = ledger.get(rel)
    if record is None or record.digest != digest:
        return False
    try:
        # os.path, not pathlib: this runs for every file of the site on each rebuild.
        found = os.lstat(os.path.join(root, rel))
    except OSError:
        return False
    # The inode too: the states the build hands on (BuildResult.outputs) must be the files'.
    return stat.S_ISREG(found.st_mode) and (found.st_size, found.st_mtime_ns, found.st_ino) == (
        record.size,
        record.mtime_ns,
        record.inode or found.st_ino,
    )
