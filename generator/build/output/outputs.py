"""Adding a build's outputs to its plan, each rendered only when its key changed.

Each output has a key: everything its bytes depend on (the documents it shows, through
their fingerprints; the settings and templates, through the build's global key). When
the key is the one the last build recorded and the output folder still holds those very
bytes (cache.ledger_confirms), the file is kept without rendering or reading it; when the
folder lacks them (a fresh clone with its cache restored), a generated file's bytes are
taken from the page store (pagestore.py), checked against the digest the key led to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from generator.build.output.cache import OutputRecord, digest_bytes, ledger_confirms
from generator.build.output.pagestore import PageStore
from generator.build.output.staging import Staging
from generator.build.output.writer import Content, Kept, Origin, OutputPlan
from generator.site.errors import ErrorCollector


class OutputMaker:
    """Adds outputs to the plan, reusing the last build's where their key is unchanged."""

    def __init__(
        self,
        plan: OutputPlan,
        errors: ErrorCollector,
        previous: Mapping[str, tuple[object, str]],
        ledger: Mapping[str, OutputRecord],
        output_root: Path,
        global_key: str,
        *,
        trust_ledger: bool = False,
        replacing: bool = False,  # the plan holds the last build's files: new ones replace them
        staging: Staging | None = None,  # park rendered files there instead of holding them
        store: PageStore | None = None,  # bytes of generated files earlier builds made
    ) -> None:
        self.staging = staging
        self.store = store
        self.trust_ledger = trust_ledger
        self.replacing = replacing
        self.plan = plan
        self.errors = errors
        self.previous = previous
        self.ledger = ledger
        self.output_root = output_root
        self.global_key = global_key
        self.recorded: dict[str, tuple[object, str]] = {}  # this build's keys, for the next one
        self.rendered = 0

    def _kept(self, rel: str, full_key: object, origin: Origin) -> bool:
        last = self.previous.get(rel)
        if last is None or last[0] != full_key:
            return False
        if self.trust_ledger:
            record = self.ledger.get(rel)
            if record is None or record.digest != last[1]:
                return False
        elif not ledger_confirms(self.ledger, self.output_root, rel, last[1]):
            return False
        self._add(rel, Kept(last[1]), origin)
        self.recorded[rel] = last
        return True

    def generated(self, rel: str, key: object, produce: Callable[[], bytes | None], origin: Origin) -> None:
        # Keys are compared as values, not digested: equal tuples of strings and frozen
        # dataclasses compare fast, and a digest of their repr would cost more than rendering.
        full_key = (self.global_key, key)
        store = self.store
        if self._kept(rel, full_key, origin):
            if store is not None:
                store.note(rel, self.recorded[rel][1])
            return
        last = self.previous.get(rel)
        data = store.get(last[1]) if store is not None and last is not None and last[0] == full_key else None
        made = data is None
        if data is None:
            data = produce()
            if data is None:
                return  # produce recorded its error
            self.rendered += 1
            digest = digest_bytes(data)
        else:
            assert last is not None
            digest = last[1]  # store.get checked it
        staged = self.staging.park(data, digest) if self.staging is not None else None
        content: Content = data if staged is None else staged
        self._add(rel, content, origin)
        self.recorded[rel] = (full_key, digest)
        if store is not None:
            store.note(rel, digest)
            if made:
                store.put(digest, data)

    def copied(self, rel: str, source: Path, origin: Origin) -> None:
        """A file copied as it is; keyed by its path and stat, so unchanged files are not read."""
        try:
            stat = source.stat()
        except OSError as exc:
            self.errors.error(origin.path, None, f"cannot read {source.name}: {exc.strerror}")
            return
        full_key = ("file", str(source), stat.st_size, stat.st_mtime_ns)
        if self._kept(rel, full_key, origin):
            return
        self._add(rel, source, origin)
        self.recorded[rel] = (full_key, digest_bytes(source.read_bytes()))

    def _add(self, rel: str, content: Content, origin: Origin) -> None:
        error = self.plan.add(rel, content, origin, replace=self.replacing)
        if error is not None:
            self.errors.add(error)
