"""Where long work is, told to whoever shows it (plain calls; nothing is printed here).

A build, check or publish names each stage it enters, with how many items it will go
through when it knows, and counts the items as they are done. The command line shows
that on a terminal (cli/progress.py); everywhere else it goes to `NO_PROGRESS`.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str, total: int | None = None) -> None:
        """A stage begins: "rendering", with `total` items (None: not known)."""
        ...

    def advance(self, count: int = 1) -> None:
        """`count` more items of the current stage are done."""
        ...


class _Silent:
    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


NO_PROGRESS: Progress = _Silent()
