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
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from markupsafe import Markup

if TYPE_CHECKING:
    from generator.build.docrender import BodyRender
    from generator.site.errors import SiteError

    # One body's render with the errors and warnings it found.
    Rendered = tuple[BodyRender, list[SiteError], list[SiteError]]

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
    """The bodies of one rendering, parked in an unnamed file as they arrive.

    A body that cannot be written stays in memory, as do the ones after it.
    """

    def __init__(self, handle: BinaryIO, count: int) -> None:
        self.file = ParkedFile(handle)
        self.spans: list[tuple[int, int] | None] = [None] * count  # item → (offset, length)
        self.end = 0
        self.failed = False  # a write failed: the bodies that follow stay in memory

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
        """The results of items `start`... with their HTML on disk (an empty string in its place)."""
        parked = []
        handle = self.file.handle
        for number, (body, job_errors, job_warnings) in enumerate(results, start):
            if not self.failed:
                data = str(body.rendered.html).encode("utf-8", "surrogatepass")
                try:
                    handle.seek(self.end)
                    handle.write(data)
                except OSError as exc:
                    log.debug("keeping rendered bodies in memory: cannot park them (%s)", exc)
                    self.failed = True
                else:
                    self.spans[number] = (self.end, len(data))
                    self.end += len(data)
                    body = _with_html(body, "")
            parked.append((body, job_errors, job_warnings))
        return parked

    def restore(self, results: list[Rendered]) -> list[Rendered] | None:
        """The results with each parked body's HTML as a ParkedHtml; None if what was
        written cannot all be read back (a full disk): then render them again here."""
        handle = self.file.handle
        try:
            handle.flush()  # a write held in the buffer fails now, not when a page is made
            size = os.fstat(handle.fileno()).st_size
        except OSError as exc:
            log.warning("rendering again in one process: the parked bodies could not be kept (%s)", exc)
            return None
        if size < self.end:
            log.warning("rendering again in one process: the parked bodies were cut short")
            return None
        restored = []
        for span, (body, job_errors, job_warnings) in zip(self.spans, results, strict=True):
            if span is not None:
                body = _with_html(body, ParkedHtml(self.file, *span))
            restored.append((body, job_errors, job_warnings))
        return restored

    def close(self) -> None:
        """Close the file now (no body was handed out as a ParkedHtml)."""
        self.file.handle.close()


def _with_html(body: BodyRender, html: str | ParkedHtml) -> BodyRender:
    return dataclasses.replace(body, rendered=dataclasses.replace(body.rendered, html=html))
