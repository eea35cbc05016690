"""Rendered bodies kept on disk rather than in memory, from the moment they are rendered.

A cold build's memory peaks twice: while a worker renders (two processes alive), and
after, when this process makes every page, list and feed and saves the cache. Held in
memory, the bodies (about 8 MB of HTML at 1,000 posts) are most of what grows between the
two. So each chunk's HTML goes to an unnamed file in `.fireside-cache/` as it is rendered
(`BodyPark`) and stays there: each body is read again where it is used (its post's page,
the feeds that carry it, the cache's save: a read from the page cache, microseconds), as a
`ParkedHtml` standing in for its Markup. The file has no name, so nothing is left behind
however the build ends; it is closed when the last body read from it is gone.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from markupsafe import Markup

if TYPE_CHECKING:
    from generator.site.errors import SiteError

    # One body's render (docrender.BodyRender, which imports this module) with the errors
    # and warnings it found.
    Rendered = tuple[Any, list[SiteError], list[SiteError]]

log = logging.getLogger(__name__)


class ParkedFile:
    """The file the bodies are parked in, read from any thread (`fireside serve` builds in one)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.lock = threading.Lock()

    def read(self, offset: int, length: int) -> bytes:
        with self.lock:
            self.handle.seek(offset)
            data = self.handle.read(length)
        if len(data) != length:  # the file was cut short under us: nothing to show instead
            raise OSError(f"a parked body was cut short: read {len(data)} of {length} bytes")
        return data


class ParkedHtml:
    """A body's HTML where it was parked, read again each time it is used.

    It stands in for the Markup it holds wherever a template, a feed or the cache uses it:
    as HTML (`__html__`, which Jinja's autoescape and `|safe` call), as text (`str` gives
    the Markup), by length, slice, iteration, comparison and hash, and by any of Markup's
    methods. It is pickled as that Markup, and its repr is the Markup's, so what is
    digested or cached is the same whether a body was parked or not.
    """

    __slots__ = ("_file", "_length", "_offset")

    def __init__(self, file: ParkedFile, offset: int, length: int) -> None:
        self._file = file
        self._offset = offset
        self._length = length

    def markup(self) -> Markup:
        data = self._file.read(self._offset, self._length)
        return Markup(data.decode("utf-8", "surrogatepass"))

    def __html__(self) -> str:
        return self.markup()

    def __str__(self) -> str:
        # The Markup itself, not a plain copy: Jinja's filters and `~` take what `str`
        # gives as text, and must see it is HTML, as they see a Markup.
        return self.markup()

    def __repr__(self) -> str:
        return repr(self.markup())

    def __format__(self, spec: str) -> str:
        return format(self.markup(), spec)

    def __len__(self) -> int:
        return len(self.markup())

    def __bool__(self) -> bool:
        return self._length > 0

    def __getitem__(self, index: Any) -> Markup:
        return self.markup()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self.markup())

    def __contains__(self, part: str) -> bool:
        return part in self.markup()

    def __add__(self, other: Any) -> Markup:
        return self.markup() + other

    def __radd__(self, other: Any) -> Markup:
        return self.markup().__radd__(other)

    def __eq__(self, other: object) -> bool:
        return self.markup() == (other.markup() if isinstance(other, ParkedHtml) else other)

    def __hash__(self) -> int:
        return hash(self.markup())

    def __reduce__(self) -> tuple[type[Markup], tuple[str]]:
        return Markup, (str(self.markup()),)

    def __getattr__(self, name: str) -> Any:
        # Markup's and str's methods (striptags, split, ...), on the text read now.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.markup(), name)


class BodyPark:
    """The results of one rendering, parked in an unnamed file chunk by chunk as they arrive:
    each body's HTML, then the rest of the chunk's results (pickled), so that this process
    holds almost nothing of them while a worker renders. Where a write fails, that chunk's
    results and the ones after it stay in memory.
    """

    def __init__(self, handle: BinaryIO, count: int) -> None:
        self.file = ParkedFile(handle)
        self.spans: list[tuple[int, int] | None] = [None] * count  # item → its HTML's (offset, length)
        # (first item, offset, length) of each parked chunk's results without their HTML
        self.chunks: list[tuple[int, int, int]] = []
        self.end = 0
        self.failed = False  # a write failed: the chunks that follow stay in memory

    @classmethod
    def open(cls, folder: Path | None, count: int) -> BodyPark | None:
        """A park in `folder` for `count` bodies; None (the bodies stay in memory) if none can be made."""
        if folder is None:
            return None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return cls(tempfile.TemporaryFile(dir=folder), count)
        except OSError as exc:
            log.debug("keeping rendered bodies in memory: cannot park them in %s (%s)", folder, exc)
            return None

    def park(self, start: int, results: list[Rendered]) -> list[Rendered]:
        """What to hold of the results of items `start`...: placeholders, once they are on
        disk (`restore` puts them back); the results themselves if they cannot be written."""
        if self.failed:
            return results
        try:
            spans = [self._write(_utf8(body.rendered.html)) for body, *_ in results]
            stripped = [(_with_html(body, ""), *found) for body, *found in results]
            offset, length = self._write(pickle.dumps(stripped, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as exc:
            log.debug("keeping rendered bodies in memory: cannot park them (%s)", exc)
            self.failed = True
            return results
        self.spans[start : start + len(results)] = spans
        self.chunks.append((start, offset, length))
        return [_PARKED] * len(results)

    def _write(self, data: bytes) -> tuple[int, int]:
        handle = self.file.handle
        handle.seek(self.end)
        handle.write(data)
        span = (self.end, len(data))
        self.end += len(data)
        return span

    def restore(self, results: list[Rendered]) -> list[Rendered] | None:
        """The results, the parked ones read back with each body's HTML as a ParkedHtml; None
        if what was written cannot all be read back (a full disk): then render them again here."""
        handle = self.file.handle
        restored = list(results)
        try:
            handle.flush()  # a write held in the buffer fails now, not when a page is made
            if os.fstat(handle.fileno()).st_size < self.end:
                raise OSError("the file is shorter than what was written to it")
            for start, offset, length in self.chunks:
                stripped: list[Rendered] = pickle.loads(self.file.read(offset, length))
                for number, (body, job_errors, job_warnings) in enumerate(stripped, start):
                    html = ParkedHtml(self.file, *self.spans[number])  # type: ignore[misc]
                    restored[number] = (_with_html(body, html), job_errors, job_warnings)
        except (OSError, pickle.UnpicklingError, EOFError) as exc:
            log.warning("rendering again in one process: the parked bodies could not be read back (%s)", exc)
            return None
        return restored

    def close(self) -> None:
        """Close the file now (no body was handed out as a ParkedHtml)."""
        self.file.handle.close()


# What the results of a parked chunk are while they are on disk.
_PARKED: Rendered = cast("Rendered", None)


def _utf8(html: str | ParkedHtml) -> bytes:
    return str(html).encode("utf-8", "surrogatepass")


def _with_html(body: Any, html: str | ParkedHtml) -> Any:
    return dataclasses.replace(body, rendered=dataclasses.replace(body.rendered, html=html))
