"""Errors that point at a place in the author's files (stdlib only).

Every problem the build finds is a `SiteError` with the file and line it comes from.
Stages collect them and the build raises one `BuildFailed` holding them all, so the
author sees every mistake at once; only the CLI turns that into output and an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SiteError(Exception):
    """One problem in one place: `path:line: message`."""

    path: Path | str | None
    line: int | None
    message: str

    def __reduce__(self) -> tuple[type[SiteError], tuple[Path | str | None, int | None, str]]:
        # An exception pickles its args and then sets its attributes, which a frozen
        # dataclass refuses: errors found in a worker process must cross back whole.
        return (type(self), (self.path, self.line, self.message))

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path)
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


# What Python itself sets on an exception as it travels: `contextlib.contextmanager`, for
# one, sets `__traceback__` on the exception it re-raises. A frozen dataclass would refuse
# and turn the author's error into a FrozenInstanceError, so these stay writable.
_EXCEPTION_ATTRIBUTES = frozenset(
    {"__traceback__", "__context__", "__cause__", "__suppress_context__", "__notes__"}
)
_frozen_setattr = SiteError.__setattr__


def _setattr(self: SiteError, name: str, value: object) -> None:
    if name in _EXCEPTION_ATTRIBUTES:
        BaseException.__setattr__(self, name, value)
    else:
        _frozen_setattr(self, name, value)


SiteError.__setattr__ = _setattr  # type: ignore[method-assign]


class BuildFailed(Exception):
    """Raised once, after a stage has collected every error it could find."""

    def __init__(self, errors: list[SiteError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class ErrorCollector:
    """Gathers errors and warnings through a stage; `raise_if_any` fails once at the end."""

    def __init__(self) -> None:
        self.errors: list[SiteError] = []
        self.warnings: list[SiteError] = []

    def error(self, path: Path | str | None, line: int | None, message: str) -> None:
        self.errors.append(SiteError(path, line, message))

    def warn(self, path: Path | str | None, line: int | None, message: str) -> None:
        self.warnings.append(SiteError(path, line, message))

    def add(self, error: SiteError) -> None:
        self.errors.append(error)

    def extend(self, errors: list[SiteError]) -> None:
        self.errors.extend(errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise BuildFailed(self.errors)


def yaml_error_mark(exc: Exception, text: str) -> object | None:
    """The mark to report for a YAML error: where the author has to look.

    Usually the problem's own position. But an unclosed list or quote is only noticed at
    the end of the text, and there the context mark (where it was opened) is the line to fix.
    """
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    if problem is None:
        return context
    at_end = getattr(problem, "index", 0) >= len(text.rstrip())
    return context if at_end and context is not None else problem
